import {checkPage} from '../readers/page-shape';
import {ChangedChildrenStream, ChildEvents} from './changed-children';
import {ListRequest} from './list-stream';
import {StreamInfo} from './stream-info';

const TYPES_PATH = '/custom_object_type/';

/**
 * Custom object instances. Close lists them only per lead: "The `lead_id`
 * parameter is required. If you want to retrieve all Custom Object instances
 * regardless of the lead, you will need to use Advanced Filtering"
 * (https://developer.close.com/api/resources/custom-objects/list), and
 * Advanced Filtering is documented for leads and contacts only. So the leads
 * are read as the `leads` stream reads them, and for each lead one
 * GET /custom_object/?lead_id=…, several leads at once (child-stream.ts).
 * No date filter or order: an incremental sync reads the custom objects of
 * the leads changed since the last one (the `leads` stream's own incremental
 * read) and of the leads the event log names for custom object events,
 * every lead weekly (changed-children.ts).
 *
 * That costs a lead scan and one request per lead, so an account without
 * custom object types (most: it is a plan feature) is asked for its types
 * first and costs that one request only.
 *
 * Values are `custom.<field id>` keys of the custom object custom fields of
 * the instance's type (linked by custom_object_type_id): typed columns and
 * Stitch's `custom_fields` list, as on leads.
 */
export class CustomObjects extends ChangedChildrenStream {
  static readonly info: StreamInfo = {
    name: 'custom_objects',
    endpoint: 'GET /custom_object/?lead_id=<leads id>',
    kind: 'child',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_updated',
    primaryKey: 'id',
    parent: 'leads',
    notes:
      'full refresh: **one request per lead**; incremental: one per lead changed or named by a custom object event since the last sync, every lead weekly (and past the 30 days of events); none without custom object types; `custom_fields [{id, value}]` + typed `custom.cf_…` columns from their type\'s fields',
    // GUESS: Close's event list names custom_object_type and custom_fields.custom_object, not the instances'
    // object_type: two candidates, each walked (a name Close refuses with a 400 is skipped).
    eventObjectTypes: ['custom_object', 'custom_object_instance'],
    requires: {feature: 'Custom Objects (Business plan, invite-only beta)', documented: 'https://help.close.com/docs/custom-objects'},
    emptyBecause: 'Custom objects are optional, and not available on every plan.',
    textFields: ['custom_fields[].value'],
  };

  protected get request(): ListRequest {
    return {path: '/custom_object/'};
  }

  protected get parentParam(): string {
    return 'lead_id';
  }

  /**
   * A custom object event's lead: the event's `lead_id` ("The ID of the
   * corresponding lead, if any"), else the instance's own (`data`, which
   * non-admin keys see for an hour only; `previous_data` for a move).
   */
  protected get childEvents(): ChildEvents {
    return {
      objectTypes: CustomObjects.info.eventObjectTypes!,
      parentOf: (event) => {
        const lead = [event.lead_id, event.data?.lead_id, event.previous_data?.lead_id].find((v) => typeof v === 'string' && v !== '');
        return lead ? {id: lead} : undefined;
      },
    };
  }

  override get hasCustomFields(): boolean {
    return true;
  }

  protected override async anyChildren(): Promise<boolean> {
    const answer = await this.ctx.client.get(TYPES_PATH, {}, {stream: this.name});
    const types = checkPage(answer, `GET ${TYPES_PATH} (stream ${this.name})`).data;
    if (types.length === 0) {
      this.ctx.logger.info(`Stream ${this.name}: the account has no custom object types, so no lead is asked for custom objects`);
      return false;
    }
    return true;
  }
}
