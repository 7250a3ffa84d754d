import {MICROS_PER_DAY, MICROS_PER_MINUTE} from '../time/instant';

/** Close's cap and default for `_limit` on GET /event/. */
export const EVENT_PAGE_SIZE = 50;
/** Close keeps 30 days of events. */
export const EVENT_RETENTION = 30 * MICROS_PER_DAY;
/** Close recommends re-scanning the latest minutes: recent events can become visible out of order. */
export const EVENT_RESCAN = 5 * MICROS_PER_MINUTE;
