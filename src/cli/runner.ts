import {Command} from 'commander';
import {AirbyteConfig, AirbyteSourceRunner} from 'faros-airbyte-cdk';
import {errorMessage, failureTypeOf} from '../errors';
import {CloseLogger} from '../protocol/logger';
import {errorTrace} from '../protocol/messages';
import {Output} from '../protocol/output';
import {redact} from '../protocol/redact';
import {CloseSource} from '../source/close-source';
import {ReadSummary} from '../source/read-loop';
import {readJsonFile} from './input-files';

/**
 * The CDK's runner with the four Airbyte commands replaced where the CDK's
 * defaults break plain Airbyte (FAROS_CDK_NOTES.md): files are read as JSON
 * from any path, a failed read ends with an ERROR trace and a non-zero exit,
 * and every line goes through one Output.
 */
export class CloseSourceRunner extends AirbyteSourceRunner<AirbyteConfig> {
  constructor(
    logger: CloseLogger,
    private readonly closeSource: CloseSource,
    private readonly output: Output
  ) {
    super(logger, closeSource);
  }

  override specCommand(): Command {
    return new Command()
      .command('spec')
      .description('print the connector specification')
      .action(() => this.run(async () => this.output.emit(await this.closeSource.spec())));
  }

  override checkCommand(): Command {
    return new Command()
      .command('check')
      .description('check that the config can reach Close')
      .requiredOption('--config <path>', 'config JSON file')
      .action((opts) =>
        this.run(async () => {
          const config = readJsonFile(opts.config, 'config') as AirbyteConfig;
          await this.output.emit(await this.closeSource.check(config));
        })
      );
  }

  override discoverCommand(): Command {
    return new Command()
      .command('discover')
      .description('print the catalog of streams')
      .requiredOption('--config <path>', 'config JSON file')
      .action((opts) =>
        this.run(async () => {
          const config = readJsonFile(opts.config, 'config') as AirbyteConfig;
          await this.output.emit(await this.closeSource.discover(config));
        })
      );
  }

  override readCommand(): Command {
    return new Command()
      .command('read')
      .description('read records from Close')
      .requiredOption('--config <path>', 'config JSON file')
      .requiredOption('--catalog <path>', 'configured catalog JSON file')
      .option('--state <path>', 'state JSON file (an array of STREAM states)')
      .action((opts) =>
        this.run(async () => {
          const config = readJsonFile(opts.config, 'config') as AirbyteConfig;
          const catalog = readJsonFile(opts.catalog, 'catalog') as any;
          const state = opts.state ? (readJsonFile(opts.state, 'state', {emptyIs: undefined}) as any) : undefined;
          const messages = this.closeSource.read(config, catalog, state);
          let next = await messages.next();
          while (!next.done) {
            await this.output.emit(next.value);
            next = await messages.next();
          }
          const summary = next.value as ReadSummary;
          if (summary.skipped.length > 0) {
            this.logger.warn(`Skipped, as Close refuses this key or plan: streams ${summary.skipped.join(', ')} (see the WARN line of each)`);
          }
          if (summary.failed.length > 0) {
            this.logger.error(`Sync failed: streams ${summary.failed.join(', ')} did not complete`);
            process.exitCode = 1;
          }
        })
      );
  }

  /** One place that turns a thrown error into an ERROR trace and a non-zero exit. */
  private async run(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (err) {
      const message = redact(errorMessage(err));
      await this.output.emit(
        errorTrace(message, failureTypeOf(err), {
          internalMessage: err instanceof Error ? err.name : undefined,
          stackTrace: err instanceof Error && err.stack ? redact(err.stack) : undefined,
        })
      );
      process.exitCode = 1;
    } finally {
      this.closeSource.close();
      await this.output.close();
    }
  }
}
