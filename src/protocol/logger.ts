import {AirbyteLogLevel, AirbyteLogLevelOrder, AirbyteLogger} from 'faros-airbyte-cdk';
import {Output, stdoutOutput} from './output';
import {redact} from './redact';

function levelFromEnv(): AirbyteLogLevel {
  const name = (process.env.LOG_LEVEL ?? '').toUpperCase() as keyof typeof AirbyteLogLevel;
  return AirbyteLogLevel[name] ?? AirbyteLogLevel.INFO;
}

/**
 * The CDK's logger prints with console.log; this one sends LOG messages
 * through the connector's single Output so that they keep their place among
 * records and states, and masks secrets.
 */
export class CloseLogger extends AirbyteLogger {
  private readonly minLevel: AirbyteLogLevel;

  constructor(private readonly output: Output = stdoutOutput(), level: AirbyteLogLevel = levelFromEnv()) {
    super(level);
    this.minLevel = level;
  }

  override write(msg: any): void {
    if (msg?.type === 'LOG') {
      if (AirbyteLogLevelOrder(this.minLevel) > AirbyteLogLevelOrder(msg.log.level)) return;
      const log: Record<string, string> = {level: msg.log.level, message: redact(String(msg.log.message))};
      if (msg.log.stack_trace) log.stack_trace = redact(String(msg.log.stack_trace));
      this.output.emitNow({type: 'LOG', log});
      return;
    }
    this.output.emitNow(msg);
  }
}
