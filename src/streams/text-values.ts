/**
 * Fields whose values Close sends with more than one JSON type. Each is
 * declared as a string in its stream's schema, so that every column has one
 * Airbyte type (a `["null","string","number"]` union maps to no column type:
 * PyAirbyte falls back to VARCHAR with a warning per batch, destinations to
 * JSON or an error). Values are converted to text without losing anything:
 * strings stay as they are; numbers, booleans, arrays and objects become their
 * JSON text (`12.5`, `true`, `["a","b"]`, `{"id":"…"}`).
 *
 * Paths are in the emitted record: `a.b` steps into an object, `a[]` into the
 * items of an array. test/schemas/schemas.test.ts checks that each path is a
 * string in the schema.
 */
export const TEXT_VALUE_PATHS: Readonly<Record<string, readonly string[]>> = {
  // Close's SMS activity documents `cost` as a string ("0.0079"); calls carry it too (null in recorded data).
  activities: ['cost'],
  // Close documents `emails` as email activity ids; `cleared_followups` is undocumented.
  tasks: ['emails[]', 'cleared_followups[]'],
  // Stitch's custom_fields [{id, value}]: a value's type depends on the field (text, number, choices with several values…).
  leads: ['custom_fields[].value', 'tasks[].emails[]', 'tasks[].cleared_followups[]'],
  contacts: ['custom_fields[].value'],
  opportunities: ['custom_fields[].value'],
};

/** A value as text; null and undefined stay as they are. */
export function asText(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'string') return value;
  return JSON.stringify(value);
}

type Step = {key: string; each: boolean};

function parsePath(path: string): Step[] {
  return path.split('.').map((part) => (part.endsWith('[]') ? {key: part.slice(0, -2), each: true} : {key: part, each: false}));
}

function convertAt(node: unknown, steps: Step[], i: number): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  const holder = node as Record<string, unknown>;
  const {key, each} = steps[i];
  const last = i === steps.length - 1;
  const value = holder[key];
  if (!each) {
    if (last) {
      if (value !== null && value !== undefined && typeof value !== 'string') holder[key] = asText(value);
    } else {
      convertAt(value, steps, i + 1);
    }
    return;
  }
  if (!Array.isArray(value)) return;
  for (let j = 0; j < value.length; j++) {
    if (last) {
      if (value[j] !== null && typeof value[j] !== 'string') value[j] = asText(value[j]);
    } else {
      convertAt(value[j], steps, i + 1);
    }
  }
}

/**
 * Converts, in place, the values at a stream's text paths (those above, and
 * those its declaration names: StreamInfo.textFields); undefined for a stream
 * without any.
 */
export function textValueConverter(stream: string, declared: readonly string[] = []): ((record: Record<string, any>) => void) | undefined {
  const paths = [...(TEXT_VALUE_PATHS[stream] ?? []), ...declared];
  if (paths.length === 0) return undefined;
  const parsed = paths.map(parsePath);
  return (record) => {
    for (const steps of parsed) convertAt(record, steps, 0);
  };
}
