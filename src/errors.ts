import VError from 'verror';

/** Airbyte's failure types (TRACE error.failure_type). */
export type FailureType = 'system_error' | 'config_error' | 'transient_error';

/**
 * Errors carry their Airbyte failure type in VError's info so that the type
 * survives wrapping: a config_error raised deep in the client stays a
 * config_error when a stream wraps it with its own context.
 */
export function failureTypeOf(err: unknown): FailureType {
  if (err instanceof Error) {
    const info = VError.info(err) as {failureType?: FailureType};
    if (info.failureType) return info.failureType;
  }
  return 'system_error';
}

export function configError(message: string, cause?: Error): VError {
  return new VError({name: 'ConfigError', cause, info: {failureType: 'config_error'}}, '%s', message);
}

export function systemError(message: string, cause?: Error): VError {
  return new VError({name: 'SystemError', cause, info: {failureType: 'system_error'}}, '%s', message);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
