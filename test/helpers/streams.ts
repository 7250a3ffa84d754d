import {streamInfo} from '../../src/streams/registry';
import type {StreamInfo} from '../../src/streams/stream-info';

/** Every stream of the connector, as its registry declares them (src/streams/registry.ts). */
export const STREAMS: readonly StreamInfo[] = streamInfo();

export const STREAM_NAMES: readonly string[] = STREAMS.map((s) => s.name);

export function infoOf(stream: string): StreamInfo {
  const info = STREAMS.find((s) => s.name === stream);
  if (!info) throw new Error(`no stream ${stream} in the registry`);
  return info;
}

/** A record's primary key value. */
export function keyOf(stream: string, record: Record<string, any>): string {
  return record[infoOf(stream).primaryKey];
}

export const FULL_REFRESH_ONLY: readonly string[] = STREAMS.filter((s) => !s.syncModes.includes('incremental')).map((s) => s.name);
export const INCREMENTAL: readonly string[] = STREAMS.filter((s) => s.syncModes.includes('incremental')).map((s) => s.name);
