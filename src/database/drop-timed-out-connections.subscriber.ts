import { type AfterQueryEvent, type EntitySubscriberInterface, EventSubscriber } from 'typeorm';

/** The parts of the drivers' connections the subscriber uses. */
interface DriverConnection {
  /** mysql2 */
  destroy?: () => void;
  /** pg */
  connection?: { stream?: { destroy(): void } };
}

/** What pg's client-side query_timeout rejects with. */
const PG_READ_TIMEOUT = 'Query read timeout';

/**
 * mysql2 and pg give up on a query at their timeout but leave the connection waiting for
 * the answer. Back in the pool it would stall every later query sent on it, whose own timers
 * only start once they reach the wire. So a timed-out connection is destroyed, and the pool
 * opens a fresh one when it is next needed (pg's pool drops a client whose socket is gone
 * when it is released).
 */
@EventSubscriber()
export class DropTimedOutConnectionsSubscriber implements EntitySubscriberInterface {
  afterQuery(event: AfterQueryEvent): void {
    if (event.success) return;
    const error = event.error as { code?: string; message?: string } | undefined;
    const connection = (event.queryRunner as { databaseConnection?: DriverConnection }).databaseConnection;
    if (error?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') connection?.destroy?.();
    if (error?.message === PG_READ_TIMEOUT) connection?.connection?.stream?.destroy();
  }
}
