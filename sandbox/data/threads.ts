import { Rng, makeId } from '../random';
import { ACT_EMAIL, ACT_THREAD, Rec } from './model';
import { World } from './world';

/**
 * Close groups a lead's Email activities into EmailThreads ("one object per
 * email conversation (generally grouped by subject)", GET /activity/emailthread/).
 * Which dates a thread carries is UNDOCUMENTED; the sandbox's guess: its
 * date_created is its first email's, its date_updated the latest date_updated
 * of its emails, and its activity_at its latest email's.
 */

/** Share of emails that start a new conversation rather than answer the lead's latest one. */
const NEW_THREAD = 0.45;

/** Groups every lead's generated emails into threads (own random stream: the rest of the data set does not move). */
export function buildThreads(w: World, seed: number): void {
  const rng = new Rng(seed, 3);
  for (let li = 0; li < w.leads.length; li++) {
    const emails = w.children[li].acts.filter((a) => a.kind === ACT_EMAIL).sort((x, y) => x.created - y.created || (x.id < y.id ? -1 : 1));
    let open: Rec | null = null;
    for (const e of emails) {
      if (!open || rng.next() < NEW_THREAD) open = newThread(w, rng, e);
      else joinThread(w, open, e);
    }
  }
}

function newThread(w: World, rng: Rng, first: Rec): Rec {
  const idx = w.threads.length;
  const t = new Rec(makeId(rng, 'acti_'), ACT_THREAD, first.lead, first.created, first.updated, rng.u32() | 0, first.user, idx, 0);
  w.threads.push(t);
  w.threadEmails.push([first]);
  w.children[first.lead].threads.push(t);
  first.a = idx;
  return t;
}

function joinThread(w: World, t: Rec, e: Rec): void {
  w.threadEmails[t.a].push(e);
  e.a = t.a;
  if (e.updated > t.updated) t.updated = e.updated;
}

/**
 * Files a new email (live changes): it answers the lead's latest conversation
 * or starts one. Returns the thread and whether it is new.
 */
export function fileEmail(w: World, rng: Rng, e: Rec): { thread: Rec; created: boolean } {
  const threads = w.children[e.lead].threads;
  const latest = threads.length ? threads.reduce((a, b) => (b.created > a.created ? b : a)) : null;
  if (!latest || rng.next() < NEW_THREAD) return { thread: newThread(w, rng, e), created: true };
  joinThread(w, latest, e);
  return { thread: latest, created: false };
}

/** The newest date_updated of a thread's remaining emails (after an edit or a removal). */
export function threadUpdated(w: World, t: Rec): number {
  let u = t.created;
  for (const e of w.threadEmails[t.a]) if (!e.dead && e.updated > u) u = e.updated;
  return u;
}

export function liveEmails(w: World, t: Rec): Rec[] {
  return w.threadEmails[t.a].filter((e) => !e.dead);
}
