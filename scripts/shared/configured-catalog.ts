/**
 * A configured catalog as Airbyte builds one from discover's streams: every
 * stream (or those named), incremental with append-dedup where supported,
 * else full refresh with overwrite. Used by the demo, the benchmark and the
 * tests, so that all of them sync the way a user's connection would.
 */
export function configuredCatalog(streams: any[], mode: 'incremental' | 'full_refresh' = 'incremental', only?: string[]): {streams: object[]} {
  return {
    streams: streams
      .filter((s) => !only || only.includes(s.name))
      .map((s) => {
        const incremental = mode === 'incremental' && (s.supported_sync_modes as string[]).includes('incremental');
        return {
          stream: s,
          sync_mode: incremental ? 'incremental' : 'full_refresh',
          destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
          ...(incremental ? {cursor_field: s.default_cursor_field} : {}),
          primary_key: s.source_defined_primary_key,
        };
      }),
  };
}
