import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The account mapper: functional ID -> payment modality + financial address, per registering source BB.
 * The address is personal data: stored only encrypted (fa_enc, with the key ID) and as a keyed hash
 * (fa_hash) for equality checks (re-imports, and later duplicate-account detection, which will add its index). The primary key is the uniqueness rule the database enforces.
 */
export class AccountMapper1763800200000 implements MigrationInterface {
  name = 'AccountMapper1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE beneficiaries (
        tenant_id                 text NOT NULL REFERENCES tenants(id),
        source_bb_id              uuid NOT NULL REFERENCES participants(id),
        functional_id             text NOT NULL CHECK (length(functional_id) BETWEEN 1 AND 20),
        payment_modality          text NOT NULL CHECK (payment_modality IN ('00','01','02','03','04')),
        banking_institution_code  text CHECK (length(banking_institution_code) <= 11),
        fa_enc                    bytea,
        fa_key_id                 text,
        fa_hash                   bytea,
        status                    text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
        created_request_id        text,
        updated_request_id        text,
        created_at                timestamptz NOT NULL DEFAULT now(),
        updated_at                timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, source_bb_id, functional_id),
        CHECK ((fa_enc IS NULL) = (fa_hash IS NULL) AND (fa_enc IS NULL) = (fa_key_id IS NULL))
      )`);
    await q.query(`
      CREATE TABLE mapper_requests (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id           text NOT NULL REFERENCES tenants(id),
        source_bb_id        uuid NOT NULL REFERENCES participants(id),
        request_id          text NOT NULL,
        operation           text NOT NULL CHECK (operation IN ('register','update')),
        status              text NOT NULL CHECK (status IN ('accepted','completed')),
        callback_url        text,
        payload_enc         bytea,
        payload_key_id      text,
        total               integer NOT NULL,
        failed              integer,
        failed_cases        jsonb,
        callback_delivery_id uuid,
        actor_id            text NOT NULL,
        actor_kind          text NOT NULL,
        correlation_id      text,
        created_at          timestamptz NOT NULL DEFAULT now(),
        completed_at        timestamptz,
        UNIQUE (tenant_id, source_bb_id, operation, request_id)
      )`);
    await q.query(
      `CREATE INDEX mapper_requests_pending ON mapper_requests (created_at) WHERE status = 'accepted'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mapper_requests`);
    await q.query(`DROP TABLE beneficiaries`);
  }
}
