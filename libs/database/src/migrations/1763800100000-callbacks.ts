import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound callback deliveries and their attempts. The database, not Redis, is the source of truth: a Bull job
 * only carries a delivery ID, and recovery re-enqueues whatever is pending here.
 */
export class Callbacks1763800100000 implements MigrationInterface {
  name = 'Callbacks1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE callback_deliveries (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id        text NOT NULL REFERENCES tenants(id),
        participant_id   uuid NOT NULL REFERENCES participants(id),
        event_type       text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 100),
        method           text NOT NULL CHECK (method IN ('POST','PUT')),
        url              text NOT NULL CHECK (length(url) <= 2048),
        payload          jsonb NOT NULL,
        correlation_id   text NOT NULL,
        status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivering','delivered','failed')),
        attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        max_attempts     integer NOT NULL CHECK (max_attempts >= 1),
        next_attempt_at  timestamptz DEFAULT now(),
        locked_until     timestamptz,
        last_status_code integer,
        last_error       text,
        delivered_at     timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        -- Pending rows must say when; delivering rows must say until when, or recovery could never reclaim them.
        CHECK (status <> 'pending' OR next_attempt_at IS NOT NULL),
        CHECK (status <> 'delivering' OR locked_until IS NOT NULL)
      )`);
    // Partial: recovery only ever looks at unfinished rows, which stay few while delivered ones pile up.
    await q.query(`CREATE INDEX callback_deliveries_due ON callback_deliveries (status, next_attempt_at)
                   WHERE status IN ('pending','delivering')`);
    await q.query(
      `CREATE INDEX callback_deliveries_tenant_created ON callback_deliveries (tenant_id, created_at DESC)`,
    );
    await q.query(`CREATE INDEX callback_deliveries_participant ON callback_deliveries (participant_id)`);
    await q.query(`
      CREATE TABLE callback_attempts (
        id           bigserial PRIMARY KEY,
        tenant_id    text NOT NULL REFERENCES tenants(id),
        delivery_id  uuid NOT NULL REFERENCES callback_deliveries(id) ON DELETE CASCADE,
        attempt_no   integer NOT NULL CHECK (attempt_no >= 1),
        started_at   timestamptz NOT NULL,
        duration_ms  integer,
        status_code  integer,
        error        text CHECK (length(error) <= 300),
        outcome      text NOT NULL CHECK (outcome IN ('delivered','http_error','redirect','timeout','network_error','refused','abandoned')),
        UNIQUE (delivery_id, attempt_no)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE callback_attempts`);
    await q.query(`DROP TABLE callback_deliveries`);
  }
}
