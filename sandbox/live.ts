import { Mutator } from './data/mutate';
import { Rng } from './random';
import { ACTIVITY_SEEDS, RESOURCE_SEEDS } from './resources/seeds';
import { LiveBatch, LiveOptions, LiveRule, LiveStatus, Mutation, MutationResult } from './types';

/** Weights of the changes an ordinary batch draws from. */
const ORDINARY: [keyof Mutation, number][] = [
  ['updatedLeads', 3],
  ['updatedContacts', 2],
  ['updatedOpportunities', 2],
  ['updatedTasks', 2],
  ['updatedActivities', 2],
  ['updatedUsers', 1],
  ['updatedCustomFields', 1],
  ['deletedActivities', 1.5],
  ['deletedContacts', 1],
  ['deletedTasks', 1],
  ['deletedOpportunities', 1],
  ['deletedLeads', 0.6],
  ['mergedLeads', 0.6],
  ['newLeads', 1],
  ['newActivities', 1],
  ['newEmails', 1.5],
  ['newTasks', 1],
  ['newOpportunities', 1],
  ['newContacts', 1],
  ['newUsers', 0.2],
  ['newCustomFields', 0.2],
  ['deletedCustomFields', 0.2],
];
const ORDINARY_TOTAL = ORDINARY.reduce((a, [, w]) => a + w, 0);

/** Bulk changes, taken in turn: thousands of records at one instant (same millisecond, second and minute). */
const BULKS: [string, (n: number) => Mutation][] = [
  ['import leads', (n) => ({ newLeads: n, minimalLeads: true })],
  ['import emails', (n) => ({ newEmails: n })],
  ['import tasks', (n) => ({ newTasks: n })],
  ['import opportunities', (n) => ({ newOpportunities: n })],
  ['bulk-edit leads', (n) => ({ updatedLeads: n })],
  ['bulk-edit tasks', (n) => ({ updatedTasks: n })],
  ['import contacts', (n) => ({ newContacts: n })],
  ['bulk-edit opportunities', (n) => ({ updatedOpportunities: n })],
];

/** The streams of sandbox/resources an ordinary batch may also change (memberships follow the users). */
const RESOURCE_STREAMS = [...RESOURCE_SEEDS.filter((s) => !s.embedded).map((s) => s.stream), ...ACTIVITY_SEEDS.map((s) => s.stream)];
const RESOURCE_OPS = ['created', 'updated', 'updated', 'deleted'] as const;
/** Children that Close lists only per parent, and whose edits leave the parent as it was. */
const CHILD_STREAMS = ['custom_objects', 'comments'] as const;

/** Activity edits and deletions mostly hit recent activities: older ones are past the attribution window anyway. */
const RECENT_ACTIVITIES = 60;
/** How many recently served records the engine remembers as targets. */
const SERVED_MEMORY = 400;

interface ActiveRule {
  rule: LiveRule;
  seen: number;
  done: boolean;
}

/**
 * Changes the account while a client reads it, driven by the count of API
 * requests served (never by wall time), so that the same seed and the same
 * request sequence give the same changes:
 * - every `every` requests, a batch: `batchSize` changes drawn from ORDINARY
 *   (and, in half the batches, one creation, edit or deletion in a resource of
 *   sandbox/resources),
 *   plus `hits` edits or deletions of records the latest answers served (the
 *   change that moves a record out from under a reader's page boundary);
 * - every `bulkEvery`-th batch is a bulk change of `bulkSize` records instead;
 * - rules: "after the K-th request on path P, apply M" (or call back).
 */
export class LiveChanges {
  private opts: Required<LiveOptions> | null = null;
  private requests = 0;
  /** scheduled batches so far (rules do not count) */
  private scheduled = 0;
  private readonly batches: LiveBatch[] = [];
  private rules: ActiveRule[] = [];
  /** ids of records in the latest answers, newest last */
  private served: string[] = [];
  /** ids of the records in the very latest answer */
  private lastAnswer: string[] = [];

  constructor(
    private readonly mutator: Mutator,
    private readonly defaultSeed: number,
  ) {}

  start(opts: LiveOptions): void {
    if (!(opts.every >= 1)) throw new Error('live changes need every >= 1 (requests per batch)');
    this.opts = {
      every: Math.floor(opts.every),
      seed: opts.seed ?? this.defaultSeed,
      batchSize: opts.batchSize ?? 6,
      hits: opts.hits ?? 2,
      bulkEvery: opts.bulkEvery ?? 5,
      bulkSize: opts.bulkSize ?? 1500,
      maxBatches: opts.maxBatches ?? 30,
    };
  }

  stop(): void {
    this.opts = null;
  }

  rule(rule: LiveRule): void {
    this.rules.push({ rule, seen: 0, done: false });
  }

  clearRules(): void {
    this.rules = [];
  }

  status(): LiveStatus {
    return { running: this.opts !== null, options: this.opts, requests: this.requests, batches: this.batches.slice() };
  }

  /** One API request was answered by its handler; `ids` are the records it carried. */
  servedRequest(path: string, ids: string[]): void {
    this.requests++;
    if (ids.length) {
      this.lastAnswer = ids.filter((id) => !id.startsWith('ev_'));
      this.served.push(...ids);
      if (this.served.length > SERVED_MEMORY) this.served = this.served.slice(-SERVED_MEMORY);
    }
    for (const a of this.rules) {
      if (a.done || !path.startsWith(a.rule.path ?? '/')) continue;
      a.seen++;
      if (a.seen < a.rule.afterRequests) continue;
      a.done = true;
      if (typeof a.rule.apply === 'function') a.rule.apply(this.mutator.apply.bind(this.mutator));
      else this.record('rule', a.rule.apply, this.mutator.apply(a.rule.apply));
    }
    const o = this.opts;
    if (!o || this.requests % o.every !== 0) return;
    if (o.maxBatches > 0 && this.scheduled >= o.maxBatches) return;
    this.batch(o);
  }

  private batch(o: Required<LiveOptions>): void {
    const n = ++this.scheduled;
    const rng = new Rng(o.seed, 50_000 + n);
    if (o.bulkEvery > 0 && n % o.bulkEvery === 0) {
      const [label, make] = BULKS[(n / o.bulkEvery - 1 + o.seed) % BULKS.length];
      const mu = make(o.bulkSize);
      this.record(label, mu, this.mutator.apply(mu, rng));
      return;
    }
    const mu: Mutation = { recentActivities: RECENT_ACTIVITIES };
    const counts = mu as Record<string, number>;
    for (let i = 0; i < o.batchSize; i++) {
      let x = rng.next() * ORDINARY_TOTAL;
      const [key] = ORDINARY.find(([, w]) => (x -= w) < 0) ?? ORDINARY[0];
      counts[key] = (counts[key] ?? 0) + 1;
    }
    // Half the batches also change one seeded resource, drawn from a random stream of their own: the draws
    // above (and every scenario built on them) are the same as without resources.
    const rr = new Rng(o.seed, 60_000 + n);
    if (rr.next() < 0.5) {
      const stream = RESOURCE_STREAMS[rr.int(RESOURCE_STREAMS.length)];
      mu.resources = { [stream]: { [RESOURCE_OPS[rr.int(RESOURCE_OPS.length)]]: 1 } };
    }
    // Every other batch also edits or adds a custom object or a comment: children whose lead or thread does not
    // move with them (changes.ts), so that only the event log names them. Their own draws, as above.
    const rc = new Rng(o.seed, 70_000 + n);
    if (rc.next() < 0.5) {
      const child = CHILD_STREAMS[rc.int(CHILD_STREAMS.length)];
      mu.resources = { ...mu.resources, [child]: { [rc.next() < 0.7 ? 'updated' : 'created']: 1 } };
    }
    // Records a reader has just been served: an edit moves them out of its range, a deletion shifts what follows.
    // The first hit lands in the page just served (the boundary a reader continues from), the others in recent ones.
    const targets = this.served.filter((id) => !id.startsWith('ev_'));
    for (let i = 0; i < o.hits && targets.length; i++) {
      const fromLast = i === 0 && this.lastAnswer.length > 0;
      const id = fromLast ? this.lastAnswer[rng.int(this.lastAnswer.length)] : targets[targets.length - 1 - rng.int(Math.min(targets.length, 100))];
      // Custom field definitions are edited, not deleted, here: random deletions keep one per object type.
      if (rng.next() < 0.6 || id.startsWith('cf_')) (mu.update ??= []).push(id);
      else (mu.delete ??= []).push(id);
    }
    this.record('changes', mu, this.mutator.apply(mu, rng));
  }

  private record(label: string, mu: Mutation, res: MutationResult): void {
    const count = (xs: Partial<Record<string, string[]>>): number => Object.values(xs).reduce((a, ids) => a + (ids?.length ?? 0), 0);
    this.batches.push({
      batch: this.batches.length + 1,
      afterRequest: this.requests,
      label,
      at: res.at,
      created: count(res.created),
      updated: count(res.updated),
      deleted: count(res.deleted),
      merged: res.merged.length,
      mutation: mu,
      result: res,
    });
  }
}
