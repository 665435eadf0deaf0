import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator console (docs/console.md): the people who run the platform, with a role each, and their login
 * sessions. A session is kept as the SHA-256 of its cookie, never the cookie itself; a password only as a
 * scrypt hash. Operators are never deleted (the audit trail names them), only disabled.
 */
export class Console1763800800000 implements MigrationInterface {
  name = 'Console1763800800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE operator_users (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id            text NOT NULL REFERENCES tenants(id),
        username             text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
        display_name         text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
        role                 text NOT NULL CHECK (role IN ('viewer','maker','checker','admin')),
        status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
        password_hash        text NOT NULL,
        failed_logins        integer NOT NULL DEFAULT 0,
        locked_until         timestamptz,
        last_login_at        timestamptz,
        password_changed_at  timestamptz NOT NULL DEFAULT now(),
        created_by           text NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX operator_users_tenant ON operator_users (tenant_id, username)`);
    await q.query(`
      CREATE TABLE operator_sessions (
        token_hash    text PRIMARY KEY,
        tenant_id     text NOT NULL REFERENCES tenants(id),
        operator_id   uuid NOT NULL REFERENCES operator_users (id) ON DELETE CASCADE,
        csrf_token    text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_seen_at  timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id)`);
    await q.query(`CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at)`);
    // The console looks a payee up by functional ID across every source BB of the tenant.
    await q.query(`CREATE INDEX beneficiaries_tenant_functional_id ON beneficiaries (tenant_id, functional_id)`);
    // ...and a bill by its ID: what payer FIs asked about it.
    await q.query(`CREATE INDEX bill_inquiries_bill ON bill_inquiries (tenant_id, bill_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX bill_inquiries_bill`);
    await q.query(`DROP INDEX beneficiaries_tenant_functional_id`);
    await q.query(`DROP TABLE operator_sessions`);
    await q.query(`DROP TABLE operator_users`);
  }
}
