import {MICROS_PER_DAY} from '../time/instant';
import {EVENT_RESCAN} from './event-log-limits';
import {DATA_SEARCH_SETTLE_MARGIN} from './search-stream';

/** The state key of when the children of every parent were last read. */
export const FULL_READ_KEY = 'last_full_read';
/**
 * How often an incremental sync reads the children of every parent anyway:
 * the net under what the event log may not say (object type names that are
 * a GUESS, changes Close does not log). Weekly: one full read's cost spread
 * over a week of hourly syncs is a few per cent of them.
 */
export const FULL_READ_PERIOD = 7 * MICROS_PER_DAY;
/**
 * How far before the saved position the next sync looks again: the event
 * log's re-scan (recent events may become visible out of order) and the
 * search's settle margin (search-stream.ts), whichever is longer.
 */
export const CHILD_RESCAN = Math.max(EVENT_RESCAN, DATA_SEARCH_SETTLE_MARGIN);
/** Changed parents and children held at most; past it, reading every parent costs about the same. */
export const MAX_CHANGED = 5000;
