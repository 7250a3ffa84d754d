import {readKeyset} from '../readers/keyset-reader';
import {checkPage} from '../readers/page-shape';
import {Micros, MICROS_PER_SECOND, formatInstant, parseInstant} from '../time/instant';
import {DEFAULT_SIZING, Window, WindowSizing} from './windows';
import {StreamInfo} from './stream-info';
import {RangeProbe, WindowedStream} from './windowed-stream';

export const TASK_PAGE_SIZE = 1000;

/**
 * GET /task/ with `_type=all`: without it Close returns only lead tasks.
 * Close filters tasks by date_updated but sorts them only by date or
 * date_created, so tasks are read in date_updated windows, each paged by
 * date_created, and the cursor is committed per window.
 */
export class Tasks extends WindowedStream {
  static readonly info: StreamInfo = {
    name: 'tasks',
    endpoint: 'GET /task/?_type=all',
    kind: 'task_windows',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_updated',
    primaryKey: 'id',
    stitch: true,
    notes: 'every task type, not only lead tasks',
    eventObjectTypes: ['task.lead', 'task.incoming_email', 'task.email_followup', 'task.missed_call', 'task.answered_detached_call', 'task.voicemail', 'task.opportunity_due', 'task.incoming_sms'],
    airbyte: [
      {stream: 'lead_tasks', where: "_type = 'lead'"},
      {stream: 'incoming_email_tasks', where: "_type = 'incoming_email'"},
      {stream: 'email_followup_tasks', where: "_type = 'email_followup'"},
      {stream: 'missed_call_tasks', where: "_type = 'missed_call'"},
      {stream: 'answered_detached_call_tasks', where: "_type = 'answered_detached_call'"},
      {stream: 'voicemail_tasks', where: "_type = 'voicemail'"},
      {stream: 'opportunity_due_tasks', where: "_type = 'opportunity_due'"},
      {stream: 'incoming_sms_tasks', where: "_type = 'incoming_sms'"},
    ],
  };


  override get cursorField(): string {
    return 'date_updated';
  }

  protected override get windowSizing(): WindowSizing {
    return {...DEFAULT_SIZING, targetRecords: 2 * TASK_PAGE_SIZE};
  }

  /**
   * The task created first among those updated in the range: a task is
   * updated after it is created, so no task in the range was updated before.
   */
  protected override async probeRange(lower: Micros, upper: Micros): Promise<RangeProbe> {
    const params = {
      _type: 'all',
      date_updated__gte: formatInstant(lower),
      date_updated__lt: formatInstant(upper),
      _order_by: 'date_created',
      _limit: 1,
      _fields: 'id,date_created',
    };
    const page = checkPage(await this.ctx.client.get('/task/', params, {stream: this.name}), `GET /task/ (stream ${this.name})`);
    return {earliest: page.data.length === 0 ? null : parseInstant(page.data[0].date_created)};
  }

  protected readWindow(window: Window): AsyncGenerator<Record<string, any>[]> {
    return readKeyset({
      client: this.ctx.client,
      path: '/task/',
      stream: this.name,
      pageSize: TASK_PAGE_SIZE,
      key: 'date_created',
      direction: 'asc',
      quantum: MICROS_PER_SECOND,
      // A task is created before it is updated: date_created < window.hi.
      upper: window.hi,
      params: (b) => ({
        _type: 'all',
        date_updated__gte: formatInstant(window.lo),
        date_updated__lt: formatInstant(window.hi),
        date_created__gte: b.gte === undefined ? undefined : formatInstant(b.gte),
        date_created__lt: formatInstant(b.lt),
        _order_by: 'date_created',
      }),
    });
  }
}
