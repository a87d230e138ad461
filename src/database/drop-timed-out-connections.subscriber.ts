import { type AfterQueryEvent, type EntitySubscriberInterface, EventSubscriber } from 'typeorm';

/**
 * mysql2 gives up on a query at its timeout but leaves the connection waiting for the
 * answer. Back in the pool it would stall every later query sent on it, whose own timers
 * only start once they reach the wire. So a timed-out connection is destroyed, and the pool
 * opens a fresh one when it is next needed.
 */
@EventSubscriber()
export class DropTimedOutConnectionsSubscriber implements EntitySubscriberInterface {
  afterQuery(event: AfterQueryEvent): void {
    if (event.success || (event.error as { code?: string } | undefined)?.code !== 'PROTOCOL_SEQUENCE_TIMEOUT') return;
    (event.queryRunner as { databaseConnection?: { destroy?: () => void } }).databaseConnection?.destroy?.();
  }
}
