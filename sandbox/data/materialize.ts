import { US_PER_DAY, US_PER_SEC, fmtDay, fmtTs } from '../dates';
import { Rng, makeId } from '../random';
import {
  ACTIVITY_TYPES,
  CustomFieldDef,
  CustomFieldKind,
  EventRec,
  Rec,
  TASK_COMPLETE,
  TASK_DATE_ONLY,
  TASK_TYPES,
  User,
} from './model';
import { CITIES, COMPANY_A, COMPANY_B, FIRST_NAMES, INDUSTRIES, LAST_NAMES, SENTENCES, STREETS, SUBJECTS } from './words';
import { World } from './world';

type Json = Record<string, unknown>;

/**
 * Rebuilds full Close-shaped JSON from compact records. Stable attributes come
 * from `seed` alone; `ver` (bumped by mutations) varies the editable text so an
 * update is visible in the payload too.
 */
export class Materializer {
  private readonly cfByKind: Record<CustomFieldKind, CustomFieldDef[]>;

  constructor(private readonly w: World) {
    this.cfByKind = { lead: [], contact: [], opportunity: [], activity: [], shared: [] };
    for (const f of w.customFields) this.cfByKind[f.kind].push(f);
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
      date_created: fmtTs(created),
      date_updated: fmtTs(updated),
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
        return fmtTs(this.w.nowUs - r.int(900 * 86400) * US_PER_SEC);
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

  private addCustom(out: Json, kind: CustomFieldKind, seed: number, ver: number, byName: boolean): void {
    const r = new Rng(seed, 100 + ver);
    const named: Json = {};
    for (const f of this.cfByKind[kind]) {
      if (r.next() < 0.3) continue;
      const v = this.customValue(f, r);
      out['custom.' + f.id] = v;
      named[f.name] = v;
    }
    if (byName) out.custom = named;
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
      out.opportunities = ch.opps.map((o) => this.opportunity(o));
      out.tasks = ch.tasks.filter((t) => t.kind === 0).map((t) => this.task(t));
    }
    this.addCustom(out, 'lead', rec.seed, rec.ver, true);
    return out;
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
    this.addCustom(out, 'contact', rec.seed, rec.ver, false);
    return out;
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
    this.addCustom(out, 'opportunity', rec.seed, rec.ver, false);
    return out;
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
    const date = dateOnly ? fmtDay(rec.a) : fmtTs(rec.a);
    const out: Json = {
      id: rec.id,
      _type: type,
      lead_id: lead.id,
      lead_name: this.leadName(lead),
      assigned_to: u.id,
      assigned_to_name: this.userName(u),
      text: rv.pick(['Call back', 'Send proposal', 'Follow up on demo', 'Check contract status', 'Reply to email']),
      date,
      due_date: date,
      is_complete: (rec.b & TASK_COMPLETE) !== 0,
      is_dateless: false,
      view: null,
      object_type: null,
      object_id: null,
      ...this.actor(rec.user, rec.created, rec.updated),
    };
    if (type === 'lead') {
      out.is_primary_lead_notification = false;
      return out;
    }
    out.contact_id = contact ? contact.id : null;
    out.contact_name = contact ? this.contactName(contact) : null;
    const p = this.phone(r);
    const objId = makeId(r, 'acti_');
    switch (type) {
      case 'incoming_email':
      case 'email_followup': {
        const subject = r.pick(SUBJECTS).replace('{n}', String(r.int(9999)));
        Object.assign(out, {
          object_type: 'email',
          object_id: objId,
          subject,
          body_preview: r.pick(SENTENCES),
          emails: type === 'incoming_email' ? [{ id: objId, subject }] : undefined,
        });
        if (type === 'incoming_email') out.cleared_followups = [];
        else Object.assign(out, { email_id: objId, total_emails_count_in_thread: 1 + r.int(5) });
        if (out.emails === undefined) delete out.emails;
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
    return out;
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
      activity_at: fmtTs(rec.created),
      ...this.actor(rec.user, rec.created, rec.updated),
    };
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
          date_answered: status === 'completed' ? fmtTs(rec.created + 5 * US_PER_SEC) : null,
        });
        break;
      }
      case 'Email':
        Object.assign(out, this.emailFields(rec, r, rv, contact));
        break;
      case 'EmailThread': {
        const subject = r.pick(SUBJECTS).replace('{n}', String(r.int(9999)));
        const email = this.emailFields(rec, r, rv, contact);
        const n = 1 + r.int(6);
        Object.assign(out, {
          n_emails: n,
          latest_normalized_subject: subject,
          participants: [
            { name: this.userName(u), email: u.email },
            ...(contact ? [{ name: this.contactName(contact), email: `${this.contactName(contact).split(' ')[0].toLowerCase()}@example.com` }] : []),
          ],
          importance: { type: r.pick(['normal', 'important']), reason: null },
          latest_emails: [
            {
              id: makeId(r, 'acti_'),
              subject,
              direction: email.direction,
              status: email.status,
              sender: email.sender,
              to: email.to,
              cc: [],
              bcc: [],
              body_preview: email.body_preview,
              envelope: email.envelope,
              has_attachments: false,
              user_id: u.id,
              date_created: fmtTs(rec.created),
              date_updated: fmtTs(rec.updated),
            },
          ],
        });
        break;
      }
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
          date_sent: fmtTs(rec.created),
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
          starts_at: fmtTs(starts),
          ends_at: fmtTs(starts + dur * US_PER_SEC),
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
    }
    return out;
  }

  private emailFields(rec: Rec, r: Rng, rv: Rng, contact: Rec | null): Json {
    const u = this.w.users[rec.user];
    const inbound = r.next() < 0.4;
    const subject = r.pick(SUBJECTS).replace('{n}', String(r.int(9999)));
    const cname = contact ? this.contactName(contact) : 'Prospect';
    const cemail = `${cname.split(' ')[0].toLowerCase()}@example.com`;
    const from = inbound ? { name: cname, email: cemail } : { name: this.userName(u), email: u.email };
    const to = inbound ? { name: this.userName(u), email: u.email } : { name: cname, email: cemail };
    const text = rv.pick(SENTENCES) + '\n\n' + rv.pick(SENTENCES);
    const status = inbound ? 'inbox' : r.pick(['sent', 'sent', 'sent', 'draft', 'scheduled', 'error']);
    const msgId = `<${rec.id.slice(5, 25)}@mail.sandbox-crm.example>`;
    const opens =
      !inbound && status === 'sent' && r.next() < 0.5
        ? [{ ip_address: `203.0.113.${r.int(255)}`, opened_at: fmtTs(rec.created + r.int(86400) * US_PER_SEC), opened_by: to.email, user_agent: 'Mozilla/5.0' }]
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
          ? [{ date: fmtTs(rec.created), error_class: 'SMTPRecipientsRefused', error_message: 'Recipient address rejected' }]
          : [],
      attachments: [],
      thread_id: 'acti_' + rec.id.slice(5, 20) + 'thread' + rec.id.slice(-22),
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

  user(u: User): Json {
    return {
      id: u.id,
      first_name: u.first_name,
      last_name: u.last_name,
      email: u.email,
      image: u.image,
      last_used_timezone: u.last_used_timezone,
      email_verified_at: fmtTs(u.verified),
      organizations: [this.w.orgId],
      date_created: fmtTs(u.created),
      date_updated: fmtTs(u.updated),
    };
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
      date_created: fmtTs(f.created),
      date_updated: fmtTs(f.updated),
    };
    if (out.choices === undefined) delete out.choices;
    if (f.kind === 'activity') out.custom_activity_type_id = null;
    if (f.kind === 'shared') {
      out.associations = [
        { object_type: 'lead', editable_with_roles: [], required: false },
        { object_type: 'opportunity', editable_with_roles: [], required: false },
      ];
    }
    return out;
  }

  event(ev: EventRec): Json {
    const data = this.eventData(ev);
    data.date_updated = fmtTs(ev.updated);
    const previous: Json = {};
    if (ev.action === 'updated') {
      previous.date_updated = fmtTs(ev.prevUpdated);
      for (const f of ev.changedFields) if (f !== 'date_updated' && f in data) previous[f] = null;
    }
    const lead = this.w.leads[ev.ref.lead];
    const path = ev.refKind === 'activity' ? 'activity/' + ACTIVITY_TYPES[ev.ref.kind].endpoint : ev.refKind;
    return {
      id: ev.id,
      date_created: fmtTs(ev.created),
      date_updated: fmtTs(ev.updated),
      organization_id: this.w.orgId,
      user_id: this.w.users[ev.user].id,
      request_id: ev.requestId,
      api_key_id: null,
      oauth_client_id: null,
      oauth_scope: null,
      object_type: ev.objectType,
      object_id: ev.ref.id,
      lead_id: lead.id,
      action: ev.action,
      changed_fields: ev.changedFields,
      meta: {
        request_path: `/api/v1/${path}/` + (ev.action === 'created' ? '' : `${ev.ref.id}/`),
        request_method: ev.method.toUpperCase(),
      },
      data,
      previous_data: previous,
    };
  }

  private eventData(ev: EventRec): Json {
    switch (ev.refKind) {
      case 'lead':
        return this.lead(ev.ref, false);
      case 'contact':
        return this.contact(ev.ref);
      case 'opportunity':
        return this.opportunity(ev.ref);
      case 'task':
        return this.task(ev.ref);
      default:
        return this.activity(ev.ref);
    }
  }
}
