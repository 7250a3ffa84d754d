/**
 * What PyAirbyte (airbytehq/PyAirbyte, read at f65f2272, 2026-08-17) hands a
 * source and does with its output, reproduced in TypeScript because PyPI is
 * not reachable here. Each function names the PyAirbyte code it follows.
 */
import fs from 'fs';
import path from 'path';
import {AirbyteMessage} from './protocol';

/**
 * Python's `json.dumps(obj)` with default arguments: separators ", " and
 * ": ", non-ASCII escaped as \uXXXX. PyAirbyte writes the config this way
 * (airbyte/_util/temp_files.py as_temp_files: a dict → json.dumps).
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${asciiJson(k)}: ${pythonJsonDumps(v)}`)
      .join(', ')}}`;
  }
  return typeof value === 'string' ? asciiJson(value) : JSON.stringify(value);
}

function asciiJson(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * as_temp_files (airbyte/_util/temp_files.py): a dict is written as
 * `<tmp>.json`, a string (the catalog and the state) as `<tmp>.txt`, and each
 * file is made read-only for everyone (S_IRUSR | S_IRGRP | S_IROTH).
 */
export function writeTempFile(dir: string, content: Record<string, unknown> | string): string {
  const isDict = typeof content !== 'string';
  const file = path.join(dir, `tmp${Math.random().toString(36).slice(2, 10)}${isDict ? '.json' : '.txt'}`);
  fs.writeFileSync(file, isDict ? pythonJsonDumps(content) : content, 'utf8');
  fs.chmodSync(file, 0o444);
  return file;
}

/** Drops null/undefined members, as pydantic's model_dump_json(exclude_none=True). */
function withoutNone(entries: [string, unknown][]): Record<string, unknown> {
  return Object.fromEntries(entries.filter(([, v]) => v !== null && v !== undefined));
}

/** An AirbyteStream re-serialized by the protocol model: its fields in the model's order (airbyte_protocol.yaml), None dropped. */
function airbyteStreamModel(s: any): Record<string, unknown> {
  const known = ['name', 'json_schema', 'supported_sync_modes', 'source_defined_cursor', 'default_cursor_field', 'source_defined_primary_key', 'namespace', 'is_resumable', 'is_file_based'];
  const extra = Object.keys(s).filter((k) => !known.includes(k));
  return withoutNone([...known, ...extra].map((k) => [k, s[k]]));
}

/**
 * The catalog file of `source.select_all_streams(); source.read()`:
 * - Source.get_configured_catalog (airbyte/sources/base.py): every discovered
 *   stream, `sync_mode` incremental whatever its supported_sync_modes
 *   ("Default behavior: preserve previous semantics (always incremental)"),
 *   `destination_sync_mode` overwrite, `primary_key` = source_defined_primary_key,
 *   `cursor_field` = default_cursor_field, generation_id/minimum_generation_id/sync_id None;
 * - CatalogProvider.validate_catalog (airbyte/shared/catalog_providers.py)
 *   sets generation_id, minimum_generation_id and sync_id to 1;
 * - Source._read_with_catalog writes `catalog.model_dump_json(exclude_none=True)`
 *   (compact JSON, fields in model order, None dropped) to a .txt file.
 */
export function pyAirbyteCatalogText(discovered: any[]): string {
  const streams = discovered.map((s) =>
    withoutNone([
      ['stream', airbyteStreamModel(s)],
      ['sync_mode', 'incremental'],
      ['cursor_field', s.default_cursor_field],
      ['destination_sync_mode', 'overwrite'],
      ['primary_key', s.source_defined_primary_key],
      ['generation_id', 1],
      ['minimum_generation_id', 1],
      ['sync_id', 1],
    ])
  );
  return JSON.stringify({streams});
}

/** pydantic's JSON for a float field: 5 → 5.0 (recordCount is a float in the protocol models). */
function pyFloat(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/**
 * The state PyAirbyte saves from a read and passes to the next one:
 * - SqlProcessorBase.process_airbyte_messages / finalizing_batches
 *   (airbyte/shared/sql_processor.py): STREAM states are queued per stream
 *   name, and when a stream is written (for every catalog stream at the end,
 *   also one without records) the LAST queued state is kept
 *   (_finalize_state_messages: state_messages[-1]); GLOBAL/LEGACY are never kept;
 * - SqlStateWriter stores `state_message.model_dump_json()`, read back as
 *   AirbyteStateMessage.model_validate_json, and
 *   StateProviderBase.to_state_input_file_text (airbyte/shared/state_providers.py)
 *   writes "[" + "\n, ".join(msg.model_dump_json() ...) + "]": compact JSON,
 *   WITHOUT exclude_none, so every optional field of the models is present as
 *   null, `global` under its Python name `global_` (fields as in
 *   test_files/airbyte/airbyte_protocol.yaml);
 * - with no saved state the file holds "[]" (Source._read_with_catalog).
 */
export function pyAirbyteStateText(messages: AirbyteMessage[], catalogStreams: string[]): string {
  const last = new Map<string, any>();
  for (const m of messages) {
    if (m.type === 'STATE' && m.state.type === 'STREAM') last.set(m.state.stream.stream_descriptor.name, m.state);
  }
  const rows = catalogStreams
    .filter((name) => last.has(name))
    .map((name) => {
      const s = last.get(name);
      const descriptor = `{"name":${JSON.stringify(s.stream.stream_descriptor.name)},"namespace":${JSON.stringify(s.stream.stream_descriptor.namespace ?? null)}}`;
      const stats = s.sourceStats
        ? `{"recordCount":${s.sourceStats.recordCount === undefined ? 'null' : pyFloat(s.sourceStats.recordCount)},"rejectedRecordCount":null}`
        : 'null';
      return (
        `{"type":"STREAM","stream":{"stream_descriptor":${descriptor},"stream_state":${JSON.stringify(s.stream.stream_state ?? null)}},` +
        `"global_":null,"data":null,"sourceStats":${stats},"destinationStats":null}`
      );
    });
  return rows.length === 0 ? '[]' : `[${rows.join('\n, ')}]`;
}

/**
 * _get_airbyte_type (airbyte/types.py): the Airbyte type PyAirbyte gives a
 * top-level property, or undefined where it prints "Could not determine
 * airbyte type from JSON schema" and falls back to VARCHAR.
 */
export function pyAirbyteType(prop: Record<string, any>): string | undefined {
  if (prop.airbyte_type) return prop.airbyte_type;
  let type = prop.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t: string) => t !== 'null');
    if (nonNull.length === 1) type = nonNull[0];
  }
  if (type === 'string') {
    if (prop.format === 'date') return 'date';
    if (prop.format === 'date-time') return 'timestamp_with_timezone';
    if (prop.format === 'time') return 'time_without_timezone';
  }
  if (typeof type === 'string' && ['string', 'number', 'boolean', 'integer', 'object', 'array'].includes(type)) return type;
  return undefined;
}

/** LowerCaseNormalizer.normalize (airbyte/_util/name_normalizers.py): the column name of a property. */
export function pyAirbyteColumnName(name: string): string {
  const result = name.toLowerCase().replace(/[^A-Za-z0-9]/g, '_');
  return /^[0-9]/.test(result) ? `_${result}` : result;
}

/** Whether a JSON value loads into a column of that Airbyte type (DuckDB read_json_auto with explicit columns). */
export function fitsColumn(type: string, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      // DECIMAL(38, 9)
      return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e29;
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
    case 'timestamp_with_timezone':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    default:
      return false;
  }
}
