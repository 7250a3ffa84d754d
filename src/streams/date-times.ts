/**
 * Date-times without a UTC offset. Close prints its dates with `+00:00`, but
 * its REST framework serialises naive datetimes with `isoformat()`, without
 * one (docs/close-api-behaviour.md): such a value in a field declared
 * `format: date-time` fails CAT's record check and may be read as local time
 * by a destination. Close stores UTC, so the offset added is `+00:00`.
 *
 * Which fields are date-times comes from the stream's schema (custom field
 * columns included), walked once per stream into a tree of the places to
 * look; a record is then visited along that tree only.
 */

/** Where date-times may sit under a schema node. */
interface DateTimeTree {
  /** This value is a date-time. */
  leaf: boolean;
  /** Object properties that hold date-times (property names may contain dots: `custom.cf_…`). */
  props: [string, DateTimeTree][];
  /** The items of an array hold date-times. */
  items?: DateTimeTree;
}

/** A date-time with no offset: `2024-05-01T12:34:56.789`, `2024-05-01 12:34:56`, `2024-05-01T12:34`. */
const NAIVE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?$/;

/** The value with `+00:00` if it is a naive date-time; anything else as it is. */
export function withUtcOffset(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = NAIVE.exec(value);
  return m ? `${m[1]}T${m[2]}${m[3] ?? ':00'}+00:00` : value;
}

function branches(schema: Record<string, any>): Record<string, any>[] {
  return [schema, ...['anyOf', 'oneOf', 'allOf'].flatMap((k) => (Array.isArray(schema[k]) ? schema[k] : []))].filter(
    (s) => s && typeof s === 'object'
  );
}

function treeOf(schema: Record<string, any>, depth = 0): DateTimeTree | undefined {
  if (depth > 32) return undefined;
  const tree: DateTimeTree = {leaf: false, props: []};
  for (const s of branches(schema)) {
    if (s.format === 'date-time') tree.leaf = true;
    for (const [key, child] of Object.entries<any>(s.properties ?? {})) {
      const sub = child && typeof child === 'object' ? treeOf(child, depth + 1) : undefined;
      if (sub) tree.props.push([key, sub]);
    }
    if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) {
      const sub = treeOf(s.items, depth + 1);
      if (sub) tree.items = sub;
    }
  }
  return tree.leaf || tree.props.length > 0 || tree.items ? tree : undefined;
}

function visit(holder: Record<string, any> | any[], key: string | number, tree: DateTimeTree): void {
  const value = (holder as any)[key];
  if (value === null || value === undefined) return;
  if (tree.leaf && typeof value === 'string') {
    (holder as any)[key] = withUtcOffset(value);
    return;
  }
  if (Array.isArray(value)) {
    if (tree.items) for (let i = 0; i < value.length; i++) visit(value, i, tree.items);
    return;
  }
  if (typeof value === 'object') for (const [k, sub] of tree.props) visit(value, k, sub);
}

/**
 * Gives naive date-times `+00:00`, in place, in every field the schema
 * declares `format: date-time` (nested objects and arrays too); undefined
 * for a schema without any.
 */
export function dateTimeNormaliser(schema: Record<string, any>): ((record: Record<string, any>) => void) | undefined {
  const tree = treeOf(schema);
  if (!tree) return undefined;
  return (record) => {
    for (const [k, sub] of tree.props) visit(record, k, sub);
  };
}
