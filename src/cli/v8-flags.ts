import v8 from 'v8';

/**
 * V8 flags the connector sets for itself before it loads anything else.
 *
 * `--optimize-for-size` makes V8 let less garbage pile up between full
 * collections (a smaller heap-growing factor): a sync's live data is small
 * (about 30 MB, most of it code) but every page of Close's answers it parses is
 * garbage a moment later, and the default factor let the heap swing between
 * about 45 and 65 MB at 40,000 leads, which put peak RSS above the 128 MB the
 * README promises (issue 11). The price is CPU time spent collecting (about
 * 15 % more child CPU at 40,000 leads in `npm run bench -- memory`, 35 % in
 * the CPU-bound `npm run bench -- cpu`). It
 * cannot go in the image's NODE_OPTIONS (Node refuses it there), so the entry
 * point sets it; `node --no-optimize-for-size bin/main …` opts out.
 */
export const MEMORY_FLAGS: readonly string[] = ['--optimize-for-size'];

/** The flags of MEMORY_FLAGS that the command line does not already set or unset. */
export function memoryFlagsFor(execArgv: readonly string[]): string[] {
  const named = (flag: string) => flag.replace(/^--(no-)?/, '').replace(/_/g, '-').split('=')[0];
  const given = new Set(execArgv.filter((a) => a.startsWith('--')).map(named));
  return MEMORY_FLAGS.filter((f) => !given.has(named(f)));
}

export function applyMemoryFlags(execArgv: readonly string[] = process.execArgv): string[] {
  const flags = memoryFlagsFor(execArgv);
  for (const f of flags) v8.setFlagsFromString(f);
  return flags;
}
