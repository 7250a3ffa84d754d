import VError from 'verror';
import {
  AirbyteCatalogMessage,
  AirbyteConfig,
  AirbyteConfiguredCatalog,
  AirbyteConnectionStatus,
  AirbyteConnectionStatusMessage,
  AirbyteLogger,
  AirbyteMessage,
  AirbyteSourceBase,
  AirbyteSpec,
  AirbyteState,
  SyncMode,
} from 'faros-airbyte-cdk';
import {CloseClient} from '../client/close-client';
import {Clock} from '../client/clock';
import {Transport, maxRequestsInFlight} from '../client/transport';
import {CloseConfig, parseConfig} from '../config/config';
import {loadSpec} from '../config/spec';
import {configError, errorMessage} from '../errors';
import {ConfiguredStream, parseConfiguredCatalog} from '../protocol/catalog';
import {parseInputState} from '../protocol/input-state';
import {registerSecret} from '../protocol/redact';
import {MICROS_PER_SECOND, fromDate} from '../time/instant';
import {allStreams} from '../streams';
import {streamClass, streamInfo} from '../streams/registry';
import {CloseStream} from '../streams/stream-base';
import {CustomFieldSchemas, customPropertiesOf, fetchCustomFieldSchemas} from '../streams/custom-field-types';
import {probeStreams} from './probe';
import {PlannedStream, ReadSummary, readStreams} from './read-loop';
import {Refusal, describeRefusal} from './refusals';

/** Seams for tests: a fake clock, transport or "now". */
export interface SourceDeps {
  clock?: Clock;
  transport?: Transport;
  now?: () => Date;
}

/** A check should answer within the request timeout, not after a full retry schedule. */
const CHECK_MAX_RETRIES = 1;

export class CloseSource extends AirbyteSourceBase<AirbyteConfig> {
  private clients: CloseClient[] = [];

  constructor(logger: AirbyteLogger, private readonly deps: SourceDeps = {}) {
    super(logger);
  }

  get type(): string {
    return 'close';
  }

  async spec(): Promise<AirbyteSpec> {
    return new AirbyteSpec(loadSpec() as any);
  }

  /** Parses the raw config; the key is registered for masking before anything can print it. */
  config(raw: unknown): CloseConfig {
    if (raw && typeof (raw as any).api_key === 'string') registerSecret((raw as any).api_key.trim());
    return parseConfig(raw, this.now());
  }

  client(config: CloseConfig, overrides: Partial<{maxRetries: number}> = {}): CloseClient {
    const client = new CloseClient({
      apiUrl: config.apiUrl,
      apiKey: config.apiKey,
      timeoutMs: config.requestTimeoutMs,
      maxRetries: overrides.maxRetries ?? config.maxRetries,
      maxRateLimitWaitMs: config.maxRateLimitWaitMs,
      maxInFlight: maxRequestsInFlight(config),
      clock: this.deps.clock,
      transport: this.deps.transport,
      logger: {
        info: (m) => this.logger.info(m),
        warn: (m) => this.logger.warn(m),
        debug: (m) => this.logger.debug(m),
      },
    });
    this.clients.push(client);
    return client;
  }

  /** Releases keep-alive sockets so that the process can end. */
  close(): void {
    for (const c of this.clients) c.close();
    this.clients = [];
  }

  async checkConnection(raw: AirbyteConfig): Promise<[boolean, VError | undefined]> {
    const report = await this.checkReport(raw);
    return [report.ok, report.error];
  }

  /**
   * The key works (GET /me/), and which streams this key or plan cannot
   * read: one `_limit=1` request per stream (probe.ts). Refused streams are
   * logged and named in the status message (syncs skip them); the check
   * fails only when Close refuses one of Stitch's six tables.
   */
  private async checkReport(raw: AirbyteConfig): Promise<{ok: boolean; error?: VError; note?: string}> {
    let config: CloseConfig;
    try {
      config = this.config(raw);
    } catch (err) {
      return {ok: false, error: err as VError};
    }
    const client = this.client(config, {maxRetries: Math.min(CHECK_MAX_RETRIES, config.maxRetries)});
    try {
      const me = await client.get('/me/', {_fields: 'id,email,organizations'});
      if (!me || typeof me.id !== 'string') {
        return {ok: false, error: new VError(`GET /me/: Close answered without a user id; is api_url (${config.apiUrl}) a Close API?`)};
      }
      const organizationId = Array.isArray(me.organizations) ? me.organizations[0]?.id : undefined;
      const probe = await probeStreams(client, streamInfo(), typeof organizationId === 'string' ? organizationId : undefined);
      const isCore = (r: Refusal) => streamClass(r.stream).info.stitch === true;
      for (const r of probe.refused) this.logger.warn(`Stream ${r.stream}: ${describeRefusal(r)}. ${isCore(r) ? 'Syncs fail on it (one of Stitch\'s six tables)' : 'Syncs skip it'}.`);
      for (const i of probe.inconclusive) this.logger.warn(`Stream ${i.stream}: could not tell whether this key may read it: ${i.message}`);
      const core = probe.refused.filter(isCore);
      if (core.length > 0) {
        return {
          ok: false,
          error: configError(`This key or plan may not read Stitch's core ${core.length === 1 ? 'table' : 'tables'} ${core.map((r) => `${r.stream} (${describeRefusal(r)})`).join('; ')}. Use the API key of a user whose role and plan can read ${core.length === 1 ? 'it' : 'them'}.`),
        };
      }
      this.logger.debug(`Check: ${probe.probed} stream endpoints probed, ${probe.refused.length} refused for this key or plan`);
      const note = probe.refused.length
        ? `The key works. Close refuses this key or plan ${probe.refused.length} ${probe.refused.length === 1 ? 'stream' : 'streams'}, which syncs skip with a warning: ${probe.refused.map((r) => `${r.stream} (${r.status}; needs ${r.need})`).join(', ')}.`
        : undefined;
      return {ok: true, note};
    } catch (err) {
      return {ok: false, error: new VError('%s', errorMessage(err))};
    }
  }

  override async check(raw: AirbyteConfig): Promise<AirbyteConnectionStatusMessage> {
    const {ok, error, note} = await this.checkReport(raw);
    return new AirbyteConnectionStatusMessage(
      ok
        ? {status: AirbyteConnectionStatus.SUCCEEDED, ...(note ? {message: note} : {})}
        : {status: AirbyteConnectionStatus.FAILED, message: error?.message ?? 'Connection check failed'}
    );
  }

  streams(raw: AirbyteConfig): CloseStream[] {
    const config = this.config(raw);
    return this.streamsFor(config, this.client(config));
  }

  private streamsFor(config: CloseConfig, client: CloseClient, customFields?: CustomFieldSchemas): CloseStream[] {
    return allStreams({
      client,
      config,
      // Rounded up: cursors are the largest value seen, so an upper bound a little ahead of now loses nothing.
      syncStartedAt: Math.ceil(fromDate(this.now()) / MICROS_PER_SECOND) * MICROS_PER_SECOND,
      now: () => fromDate(this.now()),
      logger: this.logger,
      customFields,
    });
  }

  /** The catalog, with one typed column per custom field of the account on leads, contacts, opportunities, activities and custom objects. */
  override async discover(raw: AirbyteConfig): Promise<AirbyteCatalogMessage> {
    const config = this.config(raw);
    const client = this.client(config);
    const customFields = await fetchCustomFieldSchemas(client, this.logger);
    const streams = this.streamsFor(config, client, customFields).map((s) => s.asAirbyteStream());
    return new AirbyteCatalogMessage({streams});
  }

  /**
   * Everything that can be wrong with config, catalog and state is found
   * here, before the first API call.
   */
  planRead(config: CloseConfig, rawCatalog: unknown, rawState: unknown): PlannedStream[] {
    const streams = this.streamsFor(config, this.client(config));
    const byName = new Map(streams.map((s) => [s.name, s]));
    const supported = new Map(streams.map((s) => [s.name, s.asAirbyteStream().supported_sync_modes ?? [SyncMode.FULL_REFRESH]]));
    const configured: ConfiguredStream[] = parseConfiguredCatalog(rawCatalog, supported);
    const states = parseInputState(rawState);
    const catalogStreams = new Map<string, any>(((rawCatalog as any).streams as any[]).map((c) => [c.stream.name, c.stream]));
    for (const {name, downgradedFrom} of configured) {
      if (downgradedFrom) {
        this.logger.warn(`Stream ${name} supports only full_refresh; the catalog asks for ${downgradedFrom}, so it is read as a full refresh`);
      }
    }
    return configured.map(({name, syncMode}) => {
      const stream = byName.get(name)!;
      stream.setCustomColumns(customPropertiesOf(catalogStreams.get(name)?.json_schema));
      const state = syncMode === SyncMode.INCREMENTAL ? stream.parseState(states.get(name)) : undefined;
      return {stream, syncMode, state};
    });
  }

  /**
   * The CDK's read operation. The messages are Airbyte messages (RECORD,
   * STATE, TRACE); the generator's return value says which streams failed.
   */
  override async *read(
    config: AirbyteConfig,
    catalog: AirbyteConfiguredCatalog,
    state?: AirbyteState
  ): AsyncGenerator<AirbyteMessage, ReadSummary> {
    const parsed = this.config(config);
    const plan = this.planRead(parsed, catalog, state);
    return yield* readStreams(plan, parsed.parallelStreams) as AsyncGenerator<AirbyteMessage, ReadSummary>;
  }

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }
}
