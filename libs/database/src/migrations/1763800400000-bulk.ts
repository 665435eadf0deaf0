import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk disbursement: programs (who pays, from which ledger account, through which payer FSP), the payer FSPs'
 * connector endpoints, batches with their instructions and sub-batches, the per-source registry of
 * instruction IDs that makes a duplicate instruction impossible across batches, and the answers given to
 * prepayment-validation requests. Payee financial addresses copied into instructions stay encrypted.
 */
export class Bulk1763800400000 implements MigrationInterface {
  name = 'Bulk1763800400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fsp_connectors (
        tenant_id    text NOT NULL REFERENCES tenants(id),
        fsp_id       uuid NOT NULL REFERENCES participants(id),
        base_url     text NOT NULL CHECK (length(base_url) <= 500),
        timeout_ms   integer NOT NULL DEFAULT 10000 CHECK (timeout_ms BETWEEN 100 AND 120000),
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, fsp_id)
      )`);
    await q.query(`
      CREATE TABLE programs (
        id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id              text NOT NULL REFERENCES tenants(id),
        code                   text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,20}$'),
        name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        currency               char(3) NOT NULL,
        funding_account_id     uuid NOT NULL REFERENCES ledger_accounts(id),
        settlement_account_id  uuid NOT NULL REFERENCES ledger_accounts(id),
        payer_fsp_id           uuid NOT NULL REFERENCES participants(id),
        payer_identifier       text NOT NULL CHECK (length(payer_identifier) BETWEEN 1 AND 34),
        source_bb_ids          uuid[] NOT NULL DEFAULT '{}',
        requires_approval      boolean NOT NULL DEFAULT true,
        sub_batch_size         integer NOT NULL DEFAULT 1000 CHECK (sub_batch_size BETWEEN 1 AND 100000),
        max_in_flight          integer NOT NULL DEFAULT 8 CHECK (max_in_flight BETWEEN 1 AND 1000),
        status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
        created_at             timestamptz NOT NULL DEFAULT now(),
        updated_at             timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, code)
      )`);
    await q.query(`
      CREATE TABLE batches (
        id                     uuid PRIMARY KEY,
        tenant_id              text NOT NULL REFERENCES tenants(id),
        source_bb_id           uuid NOT NULL REFERENCES participants(id),
        program_id             uuid NOT NULL REFERENCES programs(id),
        origin                 text NOT NULL CHECK (origin IN ('v1','v3-json','v3-csv','retry')),
        request_key            text NOT NULL,
        request_hash           text NOT NULL,
        request_id             text,
        external_batch_id      text,
        retry_of               uuid REFERENCES batches(id),
        callback_url           text,
        currency               char(3) NOT NULL,
        state                  text NOT NULL CHECK (state IN ('received','validated','resolved','awaiting_approval',
                                 'approved','scheduled','awaiting_funds','funds_reserved','split','submitted','settling',
                                 'completed','partially_completed','failed','cancelled')),
        state_reason           text,
        instruction_count      integer NOT NULL,
        ready_count            integer NOT NULL DEFAULT 0,
        ready_amount           bigint NOT NULL DEFAULT 0,
        reservation_id         uuid,
        reserved_amount        bigint NOT NULL DEFAULT 0 CHECK (reserved_amount >= 0),
        posted_amount          bigint NOT NULL DEFAULT 0,
        released_amount        bigint NOT NULL DEFAULT 0,
        execute_at             timestamptz,
        next_attempt_at        timestamptz,
        attempts               integer NOT NULL DEFAULT 0,
        maker_id               text NOT NULL,
        maker_kind             text NOT NULL,
        approved_by            text,
        approved_at            timestamptz,
        correlation_id         text,
        final_delivery_id      uuid,
        created_at             timestamptz NOT NULL DEFAULT now(),
        updated_at             timestamptz NOT NULL DEFAULT now(),
        completed_at           timestamptz,
        UNIQUE (tenant_id, source_bb_id, request_key)
      )`);
    await q.query(`CREATE INDEX batches_tenant_created ON batches (tenant_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX batches_external ON batches (tenant_id, external_batch_id) WHERE external_batch_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX batches_active ON batches (updated_at)
                   WHERE state NOT IN ('completed','partially_completed','failed','cancelled')`);
    await q.query(`
      CREATE TABLE batch_instructions (
        tenant_id            text NOT NULL,
        batch_id             uuid NOT NULL REFERENCES batches(id),
        seq                  integer NOT NULL,
        instruction_id       text NOT NULL,
        payee_functional_id  text,
        amount               bigint CHECK (amount > 0),
        currency             text,
        narration            text,
        payment_mode         text,
        modality             text,
        institution_code     text,
        fa_enc               bytea,
        fa_key_id            text,
        duplicate_payee      boolean NOT NULL DEFAULT false,
        state                text NOT NULL CHECK (state IN ('received','invalid','unresolved','ready','queued','submitted',
                               'accepted','completed','failed','cancelled')),
        reason_code          text,
        reason               text,
        sub_batch_id         uuid,
        fsp_reference        text,
        finished_at          timestamptz,
        updated_at           timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (batch_id, seq)
      )`);
    await q.query(`CREATE INDEX batch_instructions_by_id ON batch_instructions (batch_id, instruction_id)`);
    await q.query(
      `CREATE INDEX batch_instructions_sub_batch ON batch_instructions (sub_batch_id, instruction_id) WHERE sub_batch_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE instruction_registry (
        tenant_id       text NOT NULL,
        source_bb_id    uuid NOT NULL,
        instruction_id  text NOT NULL,
        batch_id        uuid NOT NULL REFERENCES batches(id),
        PRIMARY KEY (tenant_id, source_bb_id, instruction_id)
      )`);
    await q.query(`
      CREATE TABLE sub_batches (
        id                 uuid PRIMARY KEY,
        tenant_id          text NOT NULL,
        batch_id           uuid NOT NULL REFERENCES batches(id),
        seq                integer NOT NULL,
        rail               text NOT NULL,
        destination        text NOT NULL,
        currency           char(3) NOT NULL,
        instruction_count  integer NOT NULL,
        amount             bigint NOT NULL,
        state              text NOT NULL CHECK (state IN ('pending','submitting','submitted','completed','rejected')),
        attempts           integer NOT NULL DEFAULT 0,
        next_attempt_at    timestamptz NOT NULL DEFAULT now(),
        lease_until        timestamptz,
        submitted_at       timestamptz,
        last_status_at     timestamptz,
        polled_at          timestamptz,
        last_error         text,
        completed_at       timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        UNIQUE (batch_id, seq)
      )`);
    await q.query(
      `CREATE INDEX sub_batches_open ON sub_batches (batch_id) WHERE state IN ('pending','submitting','submitted')`,
    );
    await q.query(`
      CREATE TABLE prepayment_validations (
        tenant_id     text NOT NULL REFERENCES tenants(id),
        source_bb_id  uuid NOT NULL REFERENCES participants(id),
        request_id    text NOT NULL,
        batch_ref     text NOT NULL,
        request_hash  text NOT NULL,
        response      jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, source_bb_id, request_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'prepayment_validations',
      'sub_batches',
      'instruction_registry',
      'batch_instructions',
      'batches',
      'programs',
      'fsp_connectors',
    ])
      await q.query(`DROP TABLE ${t}`);
  }
}
