import {Command} from 'commander';
import {CloseSourceRunner} from './cli/runner';
import {CloseLogger} from './protocol/logger';
import {stdoutOutput} from './protocol/output';
import {CloseSource, SourceDeps} from './source/close-source';

export {CloseSource} from './source/close-source';

export function mainCommand(deps: SourceDeps = {}): Command {
  const output = stdoutOutput();
  const logger = new CloseLogger(output);
  const source = new CloseSource(logger, deps);
  return new CloseSourceRunner(logger, source, output).mainCommand();
}
