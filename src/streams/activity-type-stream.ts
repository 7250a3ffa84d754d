import {CreatedWindowStream} from './created-window-stream';
import {Declared} from './list-stream';
import {StreamClass} from './stream-base';
import {StreamInfo, syncModesFor} from './stream-info';

/**
 * One activity type's own endpoint (/activity/form_submission/ …), read like
 * `activities`: date_created windows, newest first, re-reading the
 * attribution window (lookback_window_hours) before the saved cursor, since
 * Close cannot filter activities by modification time. The same records also
 * come in `activities`, which lists every type.
 */
export abstract class ActivityTypeStream extends CreatedWindowStream {}

export type ActivityTypeDeclaration = Declared<{path: string; activityType: string}>;

/** An incremental activity-type stream: its schema, and one entry (the endpoint and the `_type` it lists). */
export function activityTypeStream(d: ActivityTypeDeclaration): StreamClass<ActivityTypeStream> {
  const {path, activityType, ...rest} = d;
  const info: StreamInfo = {
    ...rest,
    kind: 'created_windows',
    cursor: 'date_created',
    syncModes: syncModesFor('date_created'),
    endpoint: d.endpoint ?? `GET ${path}`,
    primaryKey: d.primaryKey ?? 'id',
    notes: d.notes || `\`_type\` ${activityType}; also in \`activities\``,
  };
  return class extends ActivityTypeStream {
    static readonly info = info;
    protected get path(): string {
      return path;
    }
  };
}
