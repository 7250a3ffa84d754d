import { Rng } from '../random';
import { FIRST_NAMES, INDUSTRIES, LAST_NAMES, SENTENCES } from '../data/words';
import type { Json, ValueCtx } from './spec';

type Schema = Record<string, any>;

function typesOf(s: Schema): string[] {
  return s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
}

function nonNullType(s: Schema): string | undefined {
  return typesOf(s).find((t) => t !== 'null');
}

/** A stable small number from a field name: each field draws from its own random stream. */
export function fieldSalt(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) % 1_000_000;
}

const WORDS = ['North', 'Pipeline', 'Renewal', 'Inbound', 'Partner', 'Enterprise', 'Trial', 'Review', 'Priority', 'Follow-up', 'Demo', 'Outreach'];

function phone(r: Rng): string {
  return `+1${200 + r.int(700)}${200 + r.int(700)}${1000 + r.int(9000)}`;
}

function personEmail(r: Rng): string {
  return `${r.pick(FIRST_NAMES)}.${r.pick(LAST_NAMES)}${r.int(100)}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '');
}

/**
 * A plausible string for a field, by its name: ids of users, leads and
 * contacts where the name says so, addresses, URLs, phone numbers, names,
 * sentences; otherwise a short label.
 */
function stringFor(name: string, c: ValueCtx, r: Rng): string | null {
  if (name === 'organization_id') return c.orgId;
  if (name === 'lead_id') return c.lead?.id ?? null;
  if (name === 'contact_id') return c.leadContact()?.id ?? null;
  if (name === 'user_id' || /(^|_)by(_id)?$/.test(name) || /_user_id$/.test(name) || name === 'owned_by') return r.pick(c.users);
  if (/email$/.test(name)) return personEmail(r);
  if (/url$/.test(name) || name === 'url') return `https://example.com/${name.replace(/_/g, '-')}/${r.int(100000)}`;
  if (/phone$|^number$|forward_to$|caller_id$/.test(name)) return phone(r);
  if (/_formatted$/.test(name)) return phone(r).replace(/^\+1(\d{3})(\d{3})/, '+1 $1-$2-');
  if (/_id$/.test(name)) return `${name.replace(/_id$/, '').slice(0, 6)}_${r.int(1e9).toString(36)}${r.int(1e9).toString(36)}`;
  if (name === 'name' || /_name$/.test(name) || name === 'label') return `${r.pick(WORDS)} ${r.pick(INDUSTRIES)}`;
  if (/description|text|body|guidance|note|reason|message|html|markdown/.test(name)) return r.pick(SENTENCES);
  if (name === 'country') return r.pick(['US', 'CA', 'GB', 'DE']);
  return r.pick(WORDS).toLowerCase().replace(/[^a-z]/g, '_');
}

/** A plausible value for a schema node; null now and then where the schema allows it. */
export function valueFor(name: string, s: Schema, c: ValueCtx, r: Rng, depth = 0): unknown {
  const type = nonNullType(s);
  const nullable = typesOf(s).includes('null');
  if (nullable && depth > 0 && r.next() < 0.05) return null;
  switch (type) {
    case 'string':
      if (s.format === 'date-time') return c.ts(c.created + Math.floor(r.next() * Math.max(0, c.updated - c.created)));
      if (s.format === 'date') return c.day(c.created);
      return stringFor(name, c, r);
    case 'integer':
      return r.int(/count|cnt|^n_/.test(name) ? 500 : 100);
    case 'number':
      return Math.round(r.next() * 10000) / 100;
    case 'boolean':
      return r.next() < 0.5;
    case 'array': {
      if (depth > 3 || !s.items) return [];
      const n = r.int(3);
      const item = name.endsWith('s') ? name.slice(0, -1) : name;
      return Array.from({ length: n }, () => valueFor(item, s.items, c, r, depth + 1));
    }
    case 'object': {
      if (depth > 3) return {};
      return objectFor(s, c, r, depth + 1);
    }
    default:
      return null;
  }
}

/** Every declared property of an object schema, each from its own random stream. */
export function objectFor(s: Schema, c: ValueCtx, r: Rng, depth = 0): Json {
  const out: Json = {};
  for (const [k, sub] of Object.entries<Schema>(s.properties ?? {})) {
    out[k] = valueFor(k, sub, c, new Rng(r.u32(), fieldSalt(k)), depth);
  }
  return out;
}
