import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, the participant (API client) registry, idempotency records and the append-only audit log. */
export class Platform1763800000000 implements MigrationInterface {
  name = 'Platform1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
        name        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE participants (
        id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id              text NOT NULL REFERENCES tenants(id),
        code                   text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
        name                   text NOT NULL,
        kind                   text NOT NULL CHECK (kind IN ('source_bb','registration_bb','information_mediator','fsp','biller','merchant_gateway','operator')),
        scopes                 text[] NOT NULL DEFAULT '{}',
        status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
        client_id              text NOT NULL UNIQUE,
        client_secret_hash     text NOT NULL,
        api_key_id             text NOT NULL UNIQUE,
        api_key_hash           text NOT NULL,
        callback_bases         text[] NOT NULL DEFAULT '{}',
        callback_secret_enc    bytea NOT NULL,
        callback_secret_key_id text NOT NULL,
        created_at             timestamptz NOT NULL DEFAULT now(),
        updated_at             timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, code)
      )`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        tenant_id        text NOT NULL REFERENCES tenants(id),
        scope            text NOT NULL,
        key              text NOT NULL,
        request_hash     text NOT NULL,
        response_status  integer,
        response_body    jsonb,
        created_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, scope, key)
      )`);
    await q.query(`
      CREATE TABLE audit_log (
        id                 bigserial PRIMARY KEY,
        tenant_id          text NOT NULL,
        occurred_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id           text NOT NULL,
        actor_kind         text NOT NULL,
        action             text NOT NULL,
        object_type        text NOT NULL,
        object_id          text NOT NULL,
        correlation_id     text,
        before_digest      text,
        after_digest       text,
        details            jsonb,
        encrypted_data     bytea,
        encryption_key_id  text
      )`);
    await q.query(`CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_log_tenant_object ON audit_log (tenant_id, object_type, object_id)`);
    await q.query(`CREATE INDEX audit_log_tenant_actor ON audit_log (tenant_id, actor_id, occurred_at)`);
    // The audit trail must not be editable by anyone, including the application's own database user. The
    // function is shared by every append-only table (the ledger's transfers use it too).
    await q.query(`
      CREATE FUNCTION refuse_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are immutable: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
                   FOR EACH ROW EXECUTE FUNCTION refuse_row_change()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                   FOR EACH STATEMENT EXECUTE FUNCTION refuse_row_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION refuse_row_change`);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE participants`);
    await q.query(`DROP TABLE tenants`);
  }
}
