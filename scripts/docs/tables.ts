/**
 * The parts of the docs and of acceptance-test-config.yml that follow from
 * the stream declarations (src/streams/registry.ts), rendered between
 * markers: `<!-- generated:NAME -->` … `<!-- /generated:NAME -->` in
 * markdown, `# generated:NAME` … `# /generated:NAME` in YAML.
 * scripts/update-docs.ts writes them; test/packaging/docs-tables.test.ts
 * fails when a file is stale.
 */
import {deletionQueries} from '../../src/streams/deletions';
import {streamInfo} from '../../src/streams/registry';
import type {StreamInfo} from '../../src/streams/stream-info';

/** Airbyte's Close source (source-close-com), all of its streams, in its order. */
export const AIRBYTE_STREAMS = [
  'created_activities',
  'note_activities',
  'email_thread_activities',
  'email_activities',
  'sms_activities',
  'call_activities',
  'meeting_activities',
  'lead_status_change_activities',
  'opportunity_status_change_activities',
  'task_completed_activities',
  'lead_custom_fields',
  'contact_custom_fields',
  'opportunity_custom_fields',
  'activity_custom_fields',
  'users',
  'contacts',
  'roles',
  'lead_statuses',
  'opportunity_statuses',
  'pipelines',
  'email_templates',
  'events',
  'leads',
  'opportunities',
  'lead_tasks',
  'incoming_email_tasks',
  'email_followup_tasks',
  'missed_call_tasks',
  'answered_detached_call_tasks',
  'voicemail_tasks',
  'opportunity_due_tasks',
  'incoming_sms_tasks',
  'google_connected_accounts',
  'custom_email_connected_accounts',
  'zoom_connected_accounts',
  'send_as',
  'email_sequences',
  'dialer',
  'smart_views',
  'email_bulk_actions',
  'sequence_subscription_bulk_actions',
  'delete_bulk_actions',
  'edit_bulk_actions',
  'integration_links',
  'custom_activities',
] as const;

const code = (s: string): string => `\`${s}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function modes(info: StreamInfo, style: 'lower' | 'title'): string {
  const words = info.syncModes.map((m) => (m === 'full_refresh' ? 'full refresh' : 'incremental'));
  const text = words.join(', ') + (info.kind === 'created_windows' ? ' (append)' : '');
  return style === 'title' ? text.replace(/\b\w/g, (c) => c.toUpperCase()) : text;
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** README: one row per stream. */
export function readmeTable(streams = streamInfo()): string {
  return table(
    ['stream', 'endpoint', 'sync modes', 'cursor', 'notes'],
    streams.map((s) => [code(s.name) + (s.primaryKey !== 'id' ? ` (key ${code(s.primaryKey)})` : ''), code(s.endpoint), modes(s, 'lower'), s.cursor ? code(s.cursor) : '—', s.notes])
  );
}

const KIND_TEXT: Record<StreamInfo['kind'], string> = {
  list: 'read whole every sync',
  scan: 'read whole, records ≥ cursor emitted',
  child: 'one list per parent record',
  detail: 'list, then each record once more',
  created_windows: 'date_created windows, attribution window',
  updated_windows: 'date_updated windows, checkpoint per page',
  task_windows: 'date_updated windows paged by date_created',
  search_windows: 'date_updated windows through the Advanced Filtering API (only what changed), fallback if refused',
  events: 'cursor walk, last 30 days',
  custom: 'see notes',
};

/** docs/streams.md: how each stream is read, and why the full-refresh ones are. */
export function streamsDocTable(streams = streamInfo()): string {
  const main = table(
    ['stream', 'endpoint', 'sync modes', 'cursor', 'how it is read', 'notes'],
    streams.map((s) => [
      code(s.name),
      code(s.endpoint),
      modes(s, 'lower'),
      s.cursor ? code(s.cursor) : '—',
      KIND_TEXT[s.kind] + (s.parent ? ` (${code(s.parent)})` : ''),
      s.notes,
    ])
  );
  const why = table(
    ['stream', 'why full refresh only'],
    streams.filter((s) => !s.cursor).map((s) => [code(s.name), s.fullRefreshBecause ?? 'Close cannot filter or order it by a date'])
  );
  const key = streams.filter((s) => s.primaryKey !== 'id').map((s) => `${code(s.name)} (${code(s.primaryKey)})`);
  return [
    main,
    '',
    `Every stream has the primary key \`id\`${key.length ? ` except ${key.join(', ')}` : ''}.`,
    'Full-refresh streams are small configuration resources (or lists Close cannot filter by a date); read whole every',
    "sync, an *Overwrite* destination also loses the rows deleted in Close.",
    '',
    why,
  ].join('\n');
}

/** docs/integrations/sources/close.md: Airbyte's shape of the streams table. */
export function airbyteDocTable(streams = streamInfo()): string {
  return table(
    ['Stream', 'Endpoint', 'Sync modes', 'Cursor'],
    streams.map((s) => [code(s.name), code(s.endpoint), modes(s, 'title'), s.cursor ? code(s.cursor) : '—'])
  );
}

/** Where each of Airbyte's streams went, from the declarations' `airbyte` fields. */
export function airbyteMapping(streams = streamInfo()): Map<string, {stream: string; where?: string; note?: string}> {
  const out = new Map<string, {stream: string; where?: string; note?: string}>();
  for (const s of streams) for (const a of s.airbyte ?? []) out.set(a.stream, {stream: s.name, where: a.where, note: a.note});
  return out;
}

/** The migration table: every stream of Airbyte's Close source and where its rows are here. */
export function migrationTable(streams = streamInfo()): string {
  const mapping = airbyteMapping(streams);
  return table(
    ["Airbyte's stream", 'here', 'rows'],
    AIRBYTE_STREAMS.map((a) => {
      const m = mapping.get(a);
      if (!m) return [code(a), '— (not yet)', 'no stream of this connector reads it yet'];
      const rows = m.where ? `where ${code(m.where)}` : m.stream === a ? 'the same' : 'all (renamed)';
      return [code(a), code(m.stream), m.note ? `${rows} (${m.note})` : rows];
    })
  );
}

/** docs/integrations/sources/close.md, Permissions and plans: the streams that declare what Close may refuse them for. */
export function requiresTable(streams = streamInfo()): string {
  return table(
    ['Stream', 'Endpoint', 'Needs', 'Source'],
    streams
      .filter((s) => s.requires)
      .map((s) => [
        code(s.name),
        code(s.endpoint),
        [s.requires!.permission && `permission: ${s.requires!.permission}`, s.requires!.feature && `plan feature: ${s.requires!.feature}`].filter(Boolean).join('; '),
        s.requires!.documented ? `[documented](${s.requires!.documented})` : 'GUESS (not documented for the API)',
      ])
  );
}

/** acceptance-test-config.yml, basic_read: the streams a real account may leave empty, with the reason. */
export function emptyStreamsYaml(streams = streamInfo(), indent = 8): string {
  const pad = ' '.repeat(indent);
  const lines = [`${pad}empty_streams:`];
  for (const s of streams.filter((x) => x.emptyBecause)) {
    lines.push(`${pad}  - name: ${s.name}`, `${pad}    bypass_reason: >-`);
    lines.push(...wrap(s.emptyBecause!, 70).map((l) => `${pad}      ${l}`));
  }
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out;
}

/** The streams that emit deletion records and the event log walks each takes (src/streams/deletions.ts). */
export function deletionsTable(streams = streamInfo()): string {
  const rows = streams
    .map((s) => ({s, queries: deletionQueries(s)}))
    .filter(({queries}) => queries.length > 0)
    .map(({s, queries}) => [
      code(s.name),
      code(s.cursor!),
      queries.map((q) => code(q.action === 'deleted' ? q.objectType : `${q.objectType}, ${q.action}`)).join(' '),
      String(queries.length),
    ]);
  const total = rows.reduce((n, r) => n + Number(r[3]), 0);
  return [
    table(['stream', 'cursor set to the deletion time', 'event log `object_type` walked (`action=deleted` unless said)', 'requests on a quiet account'], rows),
    '',
    `All of them in one incremental sync: ${total} requests to \`GET /event/\` when nothing was deleted.`,
  ].join('\n');
}

export interface GeneratedBlock {
  file: string;
  name: string;
  syntax: 'markdown' | 'yaml';
  render(): string;
}

export const BLOCKS: readonly GeneratedBlock[] = [
  {file: 'README.md', name: 'streams', syntax: 'markdown', render: () => readmeTable()},
  {file: 'docs/streams.md', name: 'streams', syntax: 'markdown', render: () => streamsDocTable()},
  {file: 'docs/integrations/sources/close.md', name: 'streams', syntax: 'markdown', render: () => airbyteDocTable()},
  {file: 'docs/integrations/sources/close.md', name: 'airbyte-migration', syntax: 'markdown', render: () => migrationTable()},
  {file: 'docs/integrations/sources/close.md', name: 'requires', syntax: 'markdown', render: () => requiresTable()},
  {file: 'acceptance-test-config.yml', name: 'empty_streams', syntax: 'yaml', render: () => emptyStreamsYaml()},
  {file: 'docs/streams.md', name: 'deletions', syntax: 'markdown', render: () => deletionsTable()},
  {file: 'docs/integrations/sources/close.md', name: 'deletions', syntax: 'markdown', render: () => deletionsTable()},
];

function markers(block: GeneratedBlock): [string, string] {
  return block.syntax === 'markdown'
    ? [`<!-- generated:${block.name} (npm run docs) -->`, `<!-- /generated:${block.name} -->`]
    : [`# generated:${block.name} (npm run docs)`, `# /generated:${block.name}`];
}

/** The file's text with the block replaced by its current rendering; throws when the markers are missing. */
export function withBlock(text: string, block: GeneratedBlock): string {
  const [open, close] = markers(block);
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`${block.file}: markers for ${block.name} missing (${open} … ${close})`);
  const lineStart = text.lastIndexOf('\n', start) + 1;
  const indent = text.slice(lineStart, start);
  const closeLineStart = text.lastIndexOf('\n', end) + 1;
  return `${text.slice(0, start)}${open}\n${block.render()}\n${indent}${text.slice(closeLineStart).trimStart()}`;
}
