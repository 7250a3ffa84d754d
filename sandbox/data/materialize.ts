import { US_PER_DAY, US_PER_SEC, fmtDay, fmtTs } from '../dates';
import { Rng, makeId } from '../random';
import {
  ACTIVITY_TYPES,
  ACT_THREAD,
  CustomFieldDef,
  CustomFieldKind,
  EventRec,
  Rec,
  Snap,
  TASK_COMPLETE,
  TASK_DATE_ONLY,
  TASK_LEAD,
  TASK_TYPES,
  User,
  isDateless,
} from './model';
import { CITIES, COMPANY_A, COMPANY_B, FIRST_NAMES, INDUSTRIES, LAST_NAMES, SENTENCES, STREETS, SUBJECTS } from './words';
import type { ResourceEngine } from '../resources/engine';
import { World } from './world';

type Json = Record<string, unknown>;

/**
 * Date-times without a UTC offset. Close's docs show offsets on every
 * date-time they print, but its framework serialises naive datetimes with
 * `isoformat()` and so prints none for them: which fields are naive is
 * UNDOCUMENTED.
 * - `none` (default): every date-time carries `+00:00`, as documented;
 * - `fields`: the likely candidates (meeting starts_at/ends_at, task dates
 *   with a time, custom datetime values, email_verified_at) are naive;
 * - `all`: every date-time is naive, date_created and date_updated included.
 */
export type NaiveDateTimes = 'none' | 'fields' | 'all';

export interface MaterializeOptions {
  /** Adds `_sandbox_version` (edits since generation) to every record, so tests can tell versions apart. */
  recordVersions?: boolean;
  naiveDateTimes?: NaiveDateTimes;
}

/** The parts of an Email that `GET /activity/?thread_emails=true` leaves out (guess: the docs say "stripped-down" only). */
export const STRIPPED_EMAIL_FIELDS = [
  'body_text',
  'body_html',
  'body_text_quoted',
  'body_html_quoted',
  'attachments',
  'envelope',
  'opens',
  'send_attempts',
  'message_ids',
  'references',
] as const;

/** How many of its latest emails a listed EmailThread carries (guess: UNDOCUMENTED). */
const LATEST_EMAILS = 3;

/**
 * Rebuilds full Close-shaped JSON from compact records. Stable attributes come
 * from `seed` alone; `ver` (bumped by mutations) varies the editable text so an
 * update is visible in the payload too.
 */
export class Materializer {
  /** Set by the Store: renders the resources of sandbox/resources (and the fields of seeded activity types). */
  resources?: ResourceEngine;
  private cfByKind: Record<CustomFieldKind, CustomFieldDef[]> = { lead: [], contact: [], opportunity: [], activity: [], shared: [] };

  constructor(
    private readonly w: World,
    private readonly opts: MaterializeOptions = {},
  ) {
    this.refreshCustomFields();
  }

  /** Custom field definitions were added or deleted. */
  refreshCustomFields(): void {
    this.cfByKind = { lead: [], contact: [], opportunity: [], activity: [], shared: [] };
    for (const f of this.w.customFields) this.cfByKind[f.kind].push(f);
  }

  get recordVersions(): boolean {
    return !!this.opts.recordVersions;
  }

  /** A date-time as Close prints it (or naive, see NaiveDateTimes). */
  ts(us: number): string {
    return this.opts.naiveDateTimes === 'all' ? fmtTs(us).slice(0, -6) : fmtTs(us);
  }

  /** A date-time of a field that may be naive in Close. */
  private tsMaybeNaive(us: number): string {
    return this.opts.naiveDateTimes && this.opts.naiveDateTimes !== 'none' ? fmtTs(us).slice(0, -6) : fmtTs(us);
  }

  private version(out: Json, ver: number): Json {
    if (this.opts.recordVersions) out._sandbox_version = ver;
    return out;
  }

  /** The record as it was at a snapshot (events carry the object as of their change). */
  at(r: Rec, s: Snap): Rec {
    return Object.assign(Object.create(Rec.prototype) as Rec, r, s);
  }

  private userName(u: User): string {
    return `${u.first_name} ${u.last_name}`;
  }

  private actor(userIdx: number, created: number, updated: number): Json {
    const u = this.w.users[userIdx];
    const name = this.userName(u);
    return {
      organization_id: this.w.orgId,
      created_by: u.id,
      created_by_name: name,
      updated_by: u.id,
      updated_by_name: name,
      date_created: this.ts(created),
      date_updated: this.ts(updated),
    };
  }

  leadName(lead: Rec): string {
    const r = new Rng(lead.seed, 11);
    return `${r.pick(COMPANY_A)} ${r.pick(COMPANY_B)}`;
  }

  contactName(c: Rec): string {
    const r = new Rng(c.seed, 12);
    return `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`;
  }

  private phone(r: Rng): { phone: string; formatted: string; country: string } {
    const a = 200 + r.int(700);
    const b = 200 + r.int(700);
    const c = 1000 + r.int(9000);
    return { phone: `+1${a}${b}${c}`, formatted: `+1 ${a}-${b}-${c}`, country: 'US' };
  }

  private customValue(f: CustomFieldDef, r: Rng): unknown {
    // Several values of one kind (users, numbers …): a list of them. Choices draw their own lists below.
    if (f.accepts_multiple_values && f.type !== 'choices') {
      const n = 1 + r.int(3);
      return Array.from({ length: n }, () => this.customValue({ ...f, accepts_multiple_values: false }, r));
    }
    // ~1 in 200 values does not match the declared type, as happens in real accounts.
    const misfit = r.next() < 0.005;
    switch (f.type) {
      case 'number':
        if (misfit) return r.pick(['n/a', 'about 50', '1,000']);
        return r.next() < 0.7 ? r.int(10000) : Math.round(r.next() * 100000) / 100;
      case 'date':
        if (misfit) return 'next week';
        return fmtDay(this.w.nowUs - r.int(900) * US_PER_DAY);
      case 'datetime':
        if (misfit) return 'soon';
        return this.tsMaybeNaive(this.w.nowUs - r.int(900 * 86400) * US_PER_SEC);
      case 'choices': {
        const choices = f.choices ?? [];
        if (f.accepts_multiple_values) {
          if (misfit) return r.pick(choices);
          const n = 1 + r.int(Math.min(3, choices.length));
          const out = new Set<string>();
          for (let i = 0; i < n; i++) out.add(r.pick(choices));
          return [...out];
        }
        return misfit ? 'Legacy value' : r.pick(choices);
      }
      case 'user':
        return misfit ? 'someone@example.com' : r.pick(this.w.users).id;
      case 'hidden':
        return 'h_' + r.int(1e9).toString(36);
      default:
        return misfit ? r.int(100) : r.next() < 0.5 ? `${r.pick(INDUSTRIES)} ${r.int(1000)}` : r.pick(SENTENCES);
    }
  }

  private addCustom(out: Json, kind: CustomFieldKind, seed: number, ver: number, updated: number, byName: boolean): void {
    const r = new Rng(seed, 100 + ver);
    const named: Json = {};
    for (const f of this.cfByKind[kind]) {
      if (r.next() < 0.3) continue;
      // Every field draws its value, shown or not, so that others keep theirs: a deleted field's values are
      // gone, and a field added during the run holds values only for records edited since.
      const v = this.customValue(f, r);
      if (f.dead || (f.added && updated < f.created)) continue;
      out['custom.' + f.id] = v;
      named[f.name] = v;
    }
    if (byName) out.custom = named;
  }

  /**
   * The custom activity types activity custom fields belong to: the ones
   * generated with the account, so that a field keeps its type whatever
   * types are created or deleted later.
   */
  private customActivityTypeIds(): string[] {
    return this.resources?.initialIds('custom_activity_types') ?? [];
  }

  /** The type an activity custom field belongs to (Close: `custom_activity_type_id`, one per field): in turn. */
  activityTypeOf(f: CustomFieldDef): string | null {
    const types = this.customActivityTypeIds();
    const i = this.cfByKind.activity.indexOf(f);
    return types.length && i >= 0 ? types[i % types.length] : null;
  }

  /** The type a shared field is associated with besides leads and opportunities: the first shared field, with the first type. */
  private sharedActivityTypeOf(f: CustomFieldDef): string | null {
    return this.cfByKind.shared.indexOf(f) === 0 ? (this.customActivityTypeIds()[0] ?? null) : null;
  }

  /**
   * A custom activity's values: for the fields of its type (activity fields
   * and the shared field associated with it), 70% of them set; every field
   * draws, so that the others keep their values (as addCustom).
   */
  private addCustomActivityValues(out: Json, typeId: string | null, rec: Rec): void {
    const r = new Rng(rec.seed, 150 + rec.ver);
    for (const f of [...this.cfByKind.activity, ...this.cfByKind.shared]) {
      if (r.next() < 0.3) continue;
      const v = this.customValue(f, r);
      const belongs = f.kind === 'activity' ? this.activityTypeOf(f) === typeId : this.sharedActivityTypeOf(f) === typeId;
      if (!belongs || typeId === null || f.dead || (f.added && rec.updated < f.created)) continue;
      out['custom.' + f.id] = v;
    }
  }

  lead(rec: Rec, embed: boolean): Json {
    const w = this.w;
    const r = new Rng(rec.seed, 1);
    const name = this.leadName(rec);
    const st = w.leadStatuses[rec.kind];
    const ch = w.children[rec.lead];
    const addresses: Json[] = [];
    const nAddr = r.int(3);
    for (let i = 0; i < nAddr; i++) {
      const [city, state, country, zip] = r.pick(CITIES);
      addresses.push({
        label: i === 0 ? 'business' : r.pick(['mailing', 'other']),
        address_1: `${1 + r.int(999)} ${r.pick(STREETS)}`,
        address_2: r.next() < 0.2 ? `Suite ${100 + r.int(900)}` : '',
        city,
        state,
        zipcode: zip,
        country,
      });
    }
    const rv = new Rng(rec.seed, 1000 + rec.ver);
    const out: Json = {
      id: rec.id,
      name,
      display_name: name,
      description: rec.ver === 0 && r.next() < 0.5 ? '' : rv.pick(SENTENCES),
      url: r.next() < 0.6 ? `https://www.${name.split(' ')[0].toLowerCase()}.example` : null,
      status_id: st.id,
      status_label: st.label,
      html_url: `https://app.close.com/lead/${rec.id}/`,
      integration_links: [],
      ...this.actor(rec.user, rec.created, rec.updated),
      addresses,
    };
    if (embed) {
      out.contacts = ch.contacts.map((c) => this.contact(c));
      out.contact_ids = ch.contacts.map((c) => c.id);
      out.opportunities = ch.opps.map((o) => this.opportunity(o));
      out.tasks = ch.tasks.filter((t) => t.kind === 0).map((t) => this.task(t));
    }
    this.addCustom(out, 'lead', rec.seed, rec.ver, rec.updated, true);
    return this.version(out, rec.ver);
  }

  contact(rec: Rec): Json {
    const r = new Rng(rec.seed, 2);
    const name = this.contactName(rec);
    const rv = new Rng(rec.seed, 2000 + rec.ver);
    const [first, last] = name.split(' ');
    const lead = this.w.leads[rec.lead];
    const domain = this.leadName(lead).split(' ')[0].toLowerCase().replace(/[^a-z]/g, '') + '.example';
    const p = this.phone(rv);
    const out: Json = {
      id: rec.id,
      lead_id: lead.id,
      name,
      display_name: name,
      title: rv.pick(['CEO', 'CTO', 'VP Sales', 'Head of Ops', 'Engineer', 'Buyer', '']),
      emails: [{ type: 'office', email: `${first}.${last}@${domain}`.toLowerCase(), is_unsubscribed: r.next() < 0.05 }],
      phones: [{ type: r.pick(['office', 'mobile', 'direct']), phone: p.phone, phone_formatted: p.formatted, country: p.country }],
      urls: r.next() < 0.3 ? [{ type: 'url', url: `https://linkedin.example/in/${first}${last}`.toLowerCase() }] : [],
      integration_links: [],
      ...this.actor(this.w.leads[rec.lead].user, rec.created, rec.updated),
    };
    this.addCustom(out, 'contact', rec.seed, rec.ver, rec.updated, false);
    return this.version(out, rec.ver);
  }

  private formatMoney(cents: number): string {
    // toLocaleString goes through Intl and is slow on hot paths
    return '$' + String(Math.round(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  opportunity(rec: Rec): Json {
    const w = this.w;
    const r = new Rng(rec.seed, 3);
    const rv = new Rng(rec.seed, 3000 + rec.ver);
    const st = w.oppStatuses[rec.kind];
    const pipe = w.pipelines[st.pipeline ?? 0];
    const lead = w.leads[rec.lead];
    const contacts = w.children[rec.lead].contacts;
    const contact = contacts.length && r.next() < 0.7 ? contacts[r.int(contacts.length)] : null;
    const u = w.users[rec.user];
    const period = r.pick(['one_time', 'one_time', 'monthly', 'annual']);
    const value = rec.a;
    const annualized = period === 'monthly' ? value * 12 : value;
    const confidence = st.type === 'won' ? 100 : st.type === 'lost' ? 0 : rv.int(10) * 10;
    const out: Json = {
      id: rec.id,
      lead_id: lead.id,
      lead_name: this.leadName(lead),
      contact_id: contact ? contact.id : null,
      contact_name: contact ? this.contactName(contact) : null,
      user_id: u.id,
      user_name: this.userName(u),
      status_id: st.id,
      status_label: st.label,
      status_display_name: st.label,
      status_type: st.type,
      pipeline_id: pipe.id,
      pipeline_name: pipe.name,
      note: rec.ver === 0 && r.next() < 0.5 ? '' : rv.pick(SENTENCES),
      confidence,
      value,
      value_currency: 'USD',
      value_period: period,
      value_formatted: this.formatMoney(value) + (period === 'monthly' ? ' monthly' : period === 'annual' ? ' annual' : ''),
      annualized_value: annualized,
      expected_value: Math.round((value * confidence) / 100),
      annualized_expected_value: Math.round((annualized * confidence) / 100),
      date_won: st.type === 'won' ? fmtDay(rec.updated) : null,
      date_lost: st.type === 'lost' ? fmtDay(rec.updated) : null,
      attachments: [],
      integration_links: [],
      ...this.actor(rec.user, rec.created, rec.updated),
    };
    this.addCustom(out, 'opportunity', rec.seed, rec.ver, rec.updated, false);
    return this.version(out, rec.ver);
  }

  task(rec: Rec): Json {
    const w = this.w;
    const r = new Rng(rec.seed, 4);
    const rv = new Rng(rec.seed, 4000 + rec.ver);
    const type = TASK_TYPES[rec.kind];
    const lead = w.leads[rec.lead];
    const contacts = w.children[rec.lead].contacts;
    const contact = contacts.length ? contacts[r.int(contacts.length)] : null;
    const u = w.users[rec.user];
    const dateOnly = (rec.b & TASK_DATE_ONLY) !== 0;
    const complete = (rec.b & TASK_COMPLETE) !== 0;
    // Recorded (closex cassettes): a task created without a date is date-only on its creation day, with
    // is_dateless true and due_date null; a completed lead task points at its TaskCompleted activity.
    const dateless = isDateless(rec);
    const date = dateless ? fmtDay(rec.created) : dateOnly ? fmtDay(rec.a) : this.tsMaybeNaive(rec.a);
    const completedId = 'acti_' + rec.id.slice(5, 27) + 'done' + rec.id.slice(-17);
    const out: Json = {
      id: rec.id,
      _type: type,
      lead_id: lead.id,
      lead_name: this.leadName(lead),
      assigned_to: u.id,
      assigned_to_name: this.userName(u),
      text: rv.pick(['Call back', 'Send proposal', 'Follow up on demo', 'Check contract status', 'Reply to email']),
      date,
      due_date: dateless ? null : date,
      is_complete: complete,
      is_dateless: dateless,
      view: complete ? 'archive' : !dateless && rec.a > w.nowUs ? 'future' : 'inbox',
      object_type: type === 'lead' && complete ? 'taskcompleted' : null,
      object_id: type === 'lead' && complete ? completedId : null,
      ...this.actor(rec.user, rec.created, rec.updated),
    };
    if (type === 'lead') {
      out.is_primary_lead_notification = false;
      return this.version(out, rec.ver);
    }
    out.contact_id = contact ? contact.id : null;
    out.contact_name = contact ? this.contactName(contact) : null;
    const p = this.phone(r);
    const objId = makeId(r, 'acti_');
    switch (type) {
      case 'incoming_email':
      case 'email_followup': {
        // Close: both point at the conversation (object_type "emailthread",
        // https://developer.close.com/api/resources/tasks.md); the sandbox links a real thread of the lead when it has one.
        const threads = w.children[rec.lead].threads;
        const thread = threads.length ? threads[r.int(threads.length)] : null;
        const emails = thread ? this.w.threadEmails[thread.a].filter((e) => !e.dead) : [];
        const latest = emails.length ? emails[emails.length - 1].id : objId;
        const subject = thread ? this.threadSubject(thread) : r.pick(SUBJECTS).replace('{n}', String(r.int(9999)));
        Object.assign(out, {
          object_type: 'emailthread',
          object_id: thread ? thread.id : objId,
          subject,
          body_preview: r.pick(SENTENCES),
        });
        if (type === 'incoming_email') Object.assign(out, { emails: emails.length ? emails.map((e) => e.id) : [objId], cleared_followups: [] });
        else Object.assign(out, { email_id: latest, total_emails_count_in_thread: Math.max(1, emails.length) });
        break;
      }
      case 'missed_call':
      case 'answered_detached_call':
      case 'voicemail':
        Object.assign(out, {
          object_type: 'call',
          object_id: objId,
          phone: p.phone,
          phone_formatted: p.formatted,
          phone_number_description: r.pick(['Office', 'Mobile', null]),
          local_phone: '+14155550100',
        });
        if (type === 'voicemail') Object.assign(out, { voicemail_duration: 5 + r.int(120), voicemail_url: `https://api.close.com/voicemail/${objId}.mp3` });
        if (type === 'answered_detached_call') out.recording_url = null;
        break;
      case 'opportunity_due': {
        const opps = w.children[rec.lead].opps;
        const o = opps.length ? opps[r.int(opps.length)] : null;
        Object.assign(out, {
          object_type: 'opportunity',
          object_id: o ? o.id : makeId(r, 'oppo_'),
          opportunity_note: '',
          opportunity_value: o ? o.a : 0,
          opportunity_value_formatted: this.formatMoney(o ? o.a : 0),
          opportunity_value_period: 'one_time',
          is_primary_lead_notification: false,
        });
        break;
      }
      case 'incoming_sms':
        Object.assign(out, {
          object_type: 'sms',
          object_id: objId,
          text: r.pick(SENTENCES),
          local_phone: '+14155550100',
          remote_phone: p.phone,
          remote_phone_formatted: p.formatted,
          remote_phone_description: null,
        });
        break;
    }
    return this.version(out, rec.ver);
  }

  activity(rec: Rec): Json {
    const w = this.w;
    const r = new Rng(rec.seed, 5);
    const rv = new Rng(rec.seed, 5000 + rec.ver);
    const t = ACTIVITY_TYPES[rec.kind].type;
    const lead = w.leads[rec.lead];
    const u = w.users[rec.user];
    const contacts = w.children[rec.lead].contacts;
    const contact = contacts.length ? contacts[r.int(contacts.length)] : null;
    const out: Json = {
      id: rec.id,
      _type: t,
      lead_id: lead.id,
      user_id: u.id,
      user_name: this.userName(u),
      users: [],
      activity_at: this.ts(rec.created),
      ...this.actor(rec.user, rec.created, rec.updated),
    };
    if (rec.kind === ACT_THREAD) return this.version(Object.assign(out, this.threadFields(rec)), rec.ver);
    const p = this.phone(r);
    switch (t) {
      case 'Created':
        Object.assign(out, { source: r.pick(['ui', 'api', 'import']), contact_id: null, import_id: null });
        break;
      case 'Note': {
        const note = rv.pick(SENTENCES);
        Object.assign(out, {
          note,
          note_html: `<p>${note.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p>`,
          note_mentions: [],
          attachments:
            r.next() < 0.1
              ? [{ content_type: 'application/pdf', filename: 'proposal.pdf', size: 1000 + r.int(500000), url: `https://app.close.com/go/file/${rec.id}/`, thumbnail_url: null }]
              : [],
          contact_id: null,
        });
        break;
      }
      case 'Call': {
        const status = r.pick(['completed', 'completed', 'no-answer', 'busy']);
        const duration = status === 'completed' ? r.int(1800) : 0;
        const hasRec = duration > 0 && r.next() < 0.5;
        Object.assign(out, {
          contact_id: contact ? contact.id : null,
          direction: r.pick(['outbound', 'inbound']),
          status,
          disposition: status === 'completed' ? r.pick(['answered', 'vm-answer', 'vm-left']) : status,
          duration,
          voicemail_duration: 0,
          voicemail_url: null,
          has_recording: hasRec,
          recording_url: hasRec ? `https://api.close.com/recording/${rec.id}.mp3` : null,
          recording_duration: hasRec ? duration : null,
          recording_expires_at: null,
          recording_history: [],
          note: rv.next() < 0.4 ? rv.pick(SENTENCES) : null,
          note_html: null,
          note_mentions: [],
          phone: p.phone,
          remote_phone: p.phone,
          remote_phone_formatted: p.formatted,
          remote_country_iso: 'US',
          local_phone: '+14155550100',
          local_phone_formatted: '+1 415-555-0100',
          local_country_iso: 'US',
          call_method: r.pick(['regular', 'regular', 'external']),
          cost: duration ? String(Math.ceil(duration / 60) * 2) : null,
          source: 'Close.io',
          dialer_id: null,
          dialer_saved_search_id: null,
          sequence_id: null,
          sequence_subscription_id: null,
          is_forwarded: false,
          is_joinable: false,
          is_to_group_number: false,
          forwarded_to: null,
          transferred_from: null,
          transferred_to: null,
          transferred_from_user_id: null,
          transferred_to_user_id: null,
          coach_legs: [],
          date_answered: status === 'completed' ? this.ts(rec.created + 5 * US_PER_SEC) : null,
        });
        break;
      }
      case 'Email':
        Object.assign(out, this.emailFields(rec, r, rv, contact));
        break;
      case 'SMS': {
        const dir = r.pick(['outbound', 'inbound']);
        Object.assign(out, {
          contact_id: contact ? contact.id : null,
          direction: dir,
          status: dir === 'inbound' ? 'inbox' : r.pick(['sent', 'sent', 'error']),
          text: rv.pick(SENTENCES),
          local_phone: '+14155550100',
          local_phone_formatted: '+1 415-555-0100',
          remote_phone: p.phone,
          remote_phone_formatted: p.formatted,
          remote_country_iso: 'US',
          date_sent: this.ts(rec.created),
          source: 'Close.io',
          attachments: [],
          template_id: null,
        });
        break;
      }
      case 'Meeting': {
        const starts = rec.created + r.int(14) * US_PER_DAY;
        const dur = (1 + r.int(4)) * 15 * 60;
        Object.assign(out, {
          title: r.pick(['Demo', 'Discovery call', 'Quarterly review', 'Kickoff']),
          starts_at: this.tsMaybeNaive(starts),
          ends_at: this.tsMaybeNaive(starts + dur * US_PER_SEC),
          duration: dur,
          location: r.pick(['Zoom', 'Google Meet', 'Office', null]),
          note: rv.next() < 0.5 ? rv.pick(SENTENCES) : '',
          status: starts < w.nowUs ? 'completed' : 'upcoming',
          source: r.pick(['google', 'microsoft', 'close']),
          is_recurring: false,
          attendees: [
            { user_id: u.id, contact_id: null, email: u.email, name: this.userName(u), is_organizer: true, status: 'yes' },
            ...(contact
              ? [{ user_id: null, contact_id: contact.id, email: `guest${r.int(999)}@example.com`, name: this.contactName(contact), is_organizer: false, status: r.pick(['yes', 'maybe', 'noreply']) }]
              : []),
          ],
          attached_call_ids: [],
          calendar_event_uids: [makeId(r, '')],
          provider_calendar_ids: [],
          conference_links: [],
          integrations: [],
          user_note_mentions: [],
        });
        break;
      }
      case 'LeadStatusChange': {
        const a = r.int(w.leadStatuses.length);
        const b = (a + 1 + r.int(w.leadStatuses.length - 1)) % w.leadStatuses.length;
        Object.assign(out, {
          old_status_id: w.leadStatuses[a].id,
          old_status_label: w.leadStatuses[a].label,
          new_status_id: w.leadStatuses[b].id,
          new_status_label: w.leadStatuses[b].label,
          contact_id: null,
        });
        break;
      }
      case 'OpportunityStatusChange': {
        const opps = w.children[rec.lead].opps;
        const o = opps.length ? opps[r.int(opps.length)] : null;
        const a = w.oppStatuses[r.int(w.oppStatuses.length)];
        const b = w.oppStatuses[o ? o.kind : r.int(w.oppStatuses.length)];
        const pa = w.pipelines[a.pipeline ?? 0];
        const pb = w.pipelines[b.pipeline ?? 0];
        const value = o ? o.a : 0;
        Object.assign(out, {
          opportunity_id: o ? o.id : makeId(r, 'oppo_'),
          old_status_id: a.id,
          old_status_label: a.label,
          old_status_type: a.type,
          old_pipeline_id: pa.id,
          old_pipeline_name: pa.name,
          new_status_id: b.id,
          new_status_label: b.label,
          new_status_type: b.type,
          new_pipeline_id: pb.id,
          new_pipeline_name: pb.name,
          opportunity_value: value,
          opportunity_value_currency: 'USD',
          opportunity_value_formatted: this.formatMoney(value),
          opportunity_value_period: 'one_time',
          opportunity_confidence: b.type === 'won' ? 100 : 50,
          opportunity_date_won: b.type === 'won' ? fmtDay(rec.created) : null,
          contact_id: null,
        });
        break;
      }
      case 'TaskCompleted': {
        const tu = w.users[r.int(w.users.length)];
        Object.assign(out, {
          task_id: makeId(r, 'task_'),
          task_text: r.pick(['Call back', 'Send proposal', 'Follow up on demo']),
          task_assigned_to: tu.id,
          task_assigned_to_name: this.userName(tu),
          contact_id: null,
        });
        break;
      }
      case 'CustomActivity': {
        // Documented fields of an instance (create/update bodies): custom_activity_type_id, contact_id, status, pinned.
        const types = this.customActivityTypeIds();
        const typeId = types.length ? types[r.int(types.length)] : null;
        Object.assign(out, {
          custom_activity_type_id: typeId,
          contact_id: contact ? contact.id : null,
          status: rv.next() < 0.9 ? 'published' : 'draft',
          pinned: r.next() < 0.1,
        });
        this.addCustomActivityValues(out, typeId, rec);
        break;
      }
      case 'LeadMerge': {
        // Documented: "The source lead is merged into the destination lead and then deleted. The merge_status
        // field shows the progress of the merge." Fields as in the documented example; a generated (past)
        // merge names a source lead that no longer exists (rec.a = -1).
        const source = rec.a >= 0 ? w.leads[rec.a] : null;
        Object.assign(out, {
          source_lead_id: source ? source.id : 'lead_' + rec.id.slice(5, 26) + 'merged' + rec.id.slice(-16),
          source_display_name: source ? this.leadName(source) : `Merged ${this.leadName(lead)}`,
          destination_lead_id: lead.id,
          destination_display_name: this.leadName(lead),
          contact_id: null,
        });
        break;
      }
    }
    // Types of sandbox/resources/seeds.ts: the rest of their schema, plausible per type.
    if (this.resources) return this.version(this.resources.activityFields(rec, out), rec.ver);
    return this.version(out, rec.ver);
  }

  /** A thread's subject: its first email's, which the others answer ("Re: …"). */
  threadSubject(thread: Rec): string {
    const r = new Rng(thread.seed, 6);
    return r.pick(SUBJECTS).replace('{n}', String(r.int(9999)));
  }

  private emailFields(rec: Rec, r: Rng, rv: Rng, contact: Rec | null): Json {
    const u = this.w.users[rec.user];
    const inbound = r.next() < 0.4;
    r.pick(SUBJECTS);
    r.int(9999);
    const thread = this.w.threads[rec.a];
    const inThread = this.w.threadEmails[rec.a] ?? [];
    const first = inThread[0] === rec;
    const subject = (first ? '' : 'Re: ') + this.threadSubject(thread);
    const cname = contact ? this.contactName(contact) : 'Prospect';
    const cemail = `${cname.split(' ')[0].toLowerCase()}@example.com`;
    const from = inbound ? { name: cname, email: cemail } : { name: this.userName(u), email: u.email };
    const to = inbound ? { name: this.userName(u), email: u.email } : { name: cname, email: cemail };
    const text = rv.pick(SENTENCES) + '\n\n' + rv.pick(SENTENCES);
    const status = inbound ? 'inbox' : r.pick(['sent', 'sent', 'sent', 'draft', 'scheduled', 'error']);
    const msgId = `<${rec.id.slice(5, 25)}@mail.sandbox-crm.example>`;
    const opens =
      !inbound && status === 'sent' && r.next() < 0.5
        ? [{ ip_address: `203.0.113.${r.int(255)}`, opened_at: this.ts(rec.created + r.int(86400) * US_PER_SEC), opened_by: to.email, user_agent: 'Mozilla/5.0' }]
        : [];
    return {
      contact_id: contact ? contact.id : null,
      direction: inbound ? 'incoming' : 'outgoing',
      status,
      subject,
      sender: `"${from.name}" <${from.email}>`,
      to: [`"${to.name}" <${to.email}>`],
      cc: [],
      bcc: [],
      body_text: text,
      body_html: `<div>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</div>`,
      body_preview: text.slice(0, 80),
      body_text_quoted: [{ text, expand: false }],
      body_html_quoted: [{ html: `<div>${text.replace(/</g, '&lt;')}</div>`, expand: false }],
      envelope: {
        from: [from],
        sender: [from],
        to: [to],
        cc: [],
        bcc: [],
        reply_to: [],
        date: new Date(rec.created / 1000).toUTCString().replace('GMT', '+0000'),
        subject,
        message_id: msgId,
        in_reply_to: null,
        is_autoreply: false,
      },
      opens,
      opens_summary: opens.length ? `Opened ${opens.length} time` : null,
      send_attempts:
        status === 'error'
          ? [{ date: this.ts(rec.created), error_class: 'SMTPRecipientsRefused', error_message: 'Recipient address rejected' }]
          : [],
      attachments: [],
      thread_id: thread.id,
      message_ids: [msgId],
      references: [],
      in_reply_to_id: null,
      has_reply: r.next() < 0.3,
      need_smtp_credentials: false,
      followup_sequence_add_cc_bcc: false,
      template_id: r.next() < 0.3 ? r.pick(this.w.templates).id : null,
      template_name: null,
      sequence_id: null,
      sequence_subscription_id: null,
      sequence_name: null,
      email_account_id: null,
    };
  }

  /** An Email as `thread_emails=true` lists it next to its thread. */
  strippedEmail(rec: Rec): Json {
    const full = this.activity(rec);
    for (const f of STRIPPED_EMAIL_FIELDS) delete full[f];
    return full;
  }

  /**
   * An EmailThread from its emails. Documented: "a collection of Email
   * activities belonging to the same thread", one object per conversation
   * "generally grouped by subject". Its fields are UNDOCUMENTED (the OpenAPI
   * schema is empty); these follow third-party clients: n_emails,
   * latest_normalized_subject, participants, importance, latest_emails (on
   * lists) and emails (GET /activity/emailthread/{id}/).
   */
  private threadFields(thread: Rec, withEmails = false): Json {
    const emails = this.w.threadEmails[thread.a].filter((e) => !e.dead);
    const latest = emails.length ? emails[emails.length - 1] : null;
    const people = new Map<string, Json>();
    for (const e of emails) {
      const env = this.activity(e).envelope as { from: { name: string; email: string }[]; to: { name: string; email: string }[] };
      for (const p of [...env.from, ...env.to]) people.set(p.email, { name: p.name, email: p.email });
    }
    const r = new Rng(thread.seed, 7);
    const out: Json = {
      n_emails: emails.length,
      latest_normalized_subject: this.threadSubject(thread),
      participants: [...people.values()],
      importance: { type: r.pick(['normal', 'important']), reason: null },
      activity_at: this.ts(latest ? latest.created : thread.created),
      contact_id: latest ? (this.activity(latest).contact_id as string | null) : null,
      latest_emails: emails.slice(-LATEST_EMAILS).reverse().map((e) => this.strippedEmail(e)),
    };
    if (withEmails) out.emails = emails.map((e) => this.strippedEmail(e));
    return out;
  }

  /** GET /activity/emailthread/{id}/: the thread with all its emails. */
  threadDetail(thread: Rec): Json {
    return { ...this.activity(thread), ...this.threadFields(thread, true) };
  }

  user(u: User): Json {
    return this.version(
      {
        id: u.id,
        first_name: u.first_name,
        last_name: u.last_name,
        email: u.email,
        image: u.image,
        last_used_timezone: u.last_used_timezone,
        email_verified_at: this.tsMaybeNaive(u.verified),
        organizations: [this.w.orgId],
        date_created: this.ts(u.created),
        date_updated: this.ts(u.updated),
      },
      u.ver,
    );
  }

  customField(f: CustomFieldDef): Json {
    const out: Json = {
      id: f.id,
      name: f.name,
      description: f.description,
      type: f.type,
      choices: f.choices ?? undefined,
      accepts_multiple_values: f.accepts_multiple_values,
      editable_with_roles: f.editable_with_roles,
      is_shared: f.kind === 'shared',
      required: f.required,
      organization_id: this.w.orgId,
      created_by: this.w.users[f.createdBy].id,
      updated_by: this.w.users[f.updatedBy].id,
      date_created: this.ts(f.created),
      date_updated: this.ts(f.updated),
    };
    if (out.choices === undefined) delete out.choices;
    if (f.kind === 'activity') out.custom_activity_type_id = this.activityTypeOf(f);
    if (f.kind === 'shared') {
      out.associations = [
        { object_type: 'lead', editable_with_roles: [], required: false },
        { object_type: 'opportunity', editable_with_roles: [], required: false },
      ];
      const typeId = this.sharedActivityTypeOf(f);
      // Documented association shape: object_type custom_activity_type with custom_activity_type_id.
      if (typeId) (out.associations as Json[]).push({ object_type: 'custom_activity_type', custom_activity_type_id: typeId, editable_with_roles: [], required: false });
    }
    return this.version(out, f.ver);
  }

  /**
   * An event as Close documents it (https://developer.close.com/api/resources/events.md):
   * `data` is the object as of the change ("null for delete events"),
   * `changed_fields` and `previous_data` the fields that changed and their
   * values before (previous_data of a deletion: the object before it, a
   * guess). `hideData` leaves both out altogether, as Close does for
   * non-admin keys once an event is an hour old.
   */
  event(ev: EventRec, hideData = false): Json {
    const after = ev.after ? this.eventData(ev, ev.after) : null;
    const before = ev.before ? this.eventData(ev, ev.before) : null;
    let changed: string[] = [];
    const previous: Json = {};
    if (ev.action === 'updated' && after && before) {
      for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (k === '_sandbox_version') continue;
        if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
          changed.push(k);
          previous[k] = before[k] ?? null;
        }
      }
      changed = changed.sort();
    } else if (ev.action === 'deleted' && before) {
      Object.assign(previous, before);
    }
    const lead = this.w.leads[(ev.after ?? ev.before ?? ev.ref).lead];
    const path =
      ev.refKind === 'activity'
        ? 'activity/' + ACTIVITY_TYPES[ev.ref.kind].endpoint
        : ev.refKind === 'resource' && this.resources
          ? this.resources.pathOf(ev.ref).replace(/^\/|\/$/g, '')
          : ev.refKind;
    const meta: Json = {
      request_path: ev.action === 'merged' ? '/api/v1/lead/merge/' : `/api/v1/${path}/` + (ev.action === 'created' ? '' : `${ev.ref.id}/`),
      request_method: ev.action === 'merged' ? 'POST' : ev.method.toUpperCase(),
    };
    if (ev.meta) Object.assign(meta, ev.meta);
    const out: Json = {
      id: ev.id,
      date_created: this.ts(ev.created),
      date_updated: this.ts(ev.updated),
      organization_id: this.w.orgId,
      user_id: ev.user >= 0 ? this.w.users[ev.user].id : null,
      request_id: ev.requestId,
      api_key_id: null,
      oauth_client_id: null,
      oauth_scope: null,
      object_type: ev.objectType,
      object_id: ev.ref.id,
      lead_id: lead ? lead.id : null,
      action: ev.action,
      changed_fields: changed,
      meta,
    };
    if (!hideData) {
      out.data = after;
      out.previous_data = previous;
    }
    return this.version(out, ev.ver);
  }

  private eventData(ev: EventRec, at: Snap): Json {
    const r = this.at(ev.ref, at);
    switch (ev.refKind) {
      case 'lead':
        return this.lead(r, false);
      case 'contact':
        return this.contact(r);
      case 'opportunity':
        return this.opportunity(r);
      case 'task':
        return this.task(r);
      case 'resource':
        return this.resources!.render(r, true);
      default:
        return this.activity(r);
    }
  }
}
