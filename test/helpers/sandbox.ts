import {Sandbox, SandboxOptions, startSandbox} from '../../sandbox';
import {TEST_API_KEY} from './keys';
import {AirbyteMessage} from './protocol';
import {configuredCatalog} from '../../scripts/shared/configured-catalog';

export async function startTestSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({scale: 40, seed: 7, apiKey: TEST_API_KEY, ...opts});
}

/** A start date before all generated data, so that a full read must return the sandbox's whole truth. */
export const ALL_HISTORY = '2000-01-01T00:00:00Z';

export function configFor(sandbox: Sandbox, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {api_key: sandbox.apiKey, api_url: sandbox.url, start_date: ALL_HISTORY, request_timeout_seconds: 10, ...extra};
}

/** A configured catalog of every discovered stream, incremental where supported unless told otherwise. */
export function catalogFrom(discover: AirbyteMessage[], mode: 'incremental' | 'full_refresh' = 'incremental', only?: string[]): object {
  const catalog = discover.find((m) => m.type === 'CATALOG');
  if (!catalog) throw new Error('discover printed no CATALOG');
  return configuredCatalog(catalog.catalog.streams, mode, only);
}

export function streamNames(discover: AirbyteMessage[]): string[] {
  return discover.find((m) => m.type === 'CATALOG')!.catalog.streams.map((s: any) => s.name);
}
