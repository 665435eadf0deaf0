import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Double-entry ledger after TigerBeetle's model, on PostgreSQL. The database itself guarantees what must
 * never break: balance limits (CHECK), at most one post/void/expiry per pending transfer (unique index),
 * transfers that never change, and accounts that are never deleted nor change tenant or currency.
 */
export class Ledger1763800300000 implements MigrationInterface {
  name = 'Ledger1763800300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_accounts (
        id                              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id                       text NOT NULL REFERENCES tenants(id),
        code                            text NOT NULL CHECK (code ~ '^[A-Za-z0-9._:/-]{1,100}$'),
        name                            text NOT NULL,
        currency                        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        kind                            text NOT NULL CHECK (kind IN ('program_funding','disbursement_clearing',
                                          'voucher_liability','merchant_payable','biller_payable','fsp_settlement','external')),
        debits_must_not_exceed_credits  boolean NOT NULL DEFAULT false,
        credits_must_not_exceed_debits  boolean NOT NULL DEFAULT false,
        debits_pending                  bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
        debits_posted                   bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
        credits_pending                 bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
        credits_posted                  bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
        reference                       text,
        created_at                      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, code),
        UNIQUE (id, tenant_id, currency),
        CHECK (NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)),
        CONSTRAINT ledger_debits_within_credits
          CHECK (NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted),
        CONSTRAINT ledger_credits_within_debits
          CHECK (NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted)
      )`);
    await q.query(`
      CREATE TABLE ledger_transfers (
        id                 uuid PRIMARY KEY,
        tenant_id          text NOT NULL,
        debit_account_id   uuid NOT NULL,
        credit_account_id  uuid NOT NULL,
        amount             bigint NOT NULL CHECK (amount > 0),
        currency           char(3) NOT NULL,
        kind               text NOT NULL CHECK (kind IN ('posted','pending','post_pending','void_pending','expire_pending')),
        pending_id         uuid,
        timeout_at         timestamptz,
        code               text NOT NULL CHECK (code ~ '^[A-Za-z0-9._:-]{1,64}$'),
        reference_type     text CHECK (length(reference_type) <= 64),
        reference_id       text CHECK (length(reference_id) <= 128),
        created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
        CHECK (debit_account_id <> credit_account_id),
        CHECK ((kind IN ('post_pending','void_pending','expire_pending')) = (pending_id IS NOT NULL)),
        CHECK (kind = 'pending' OR timeout_at IS NULL)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ledger_transfers_one_resolution ON ledger_transfers (pending_id) WHERE pending_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id, created_at, id)`,
    );
    await q.query(
      `CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id, created_at, id)`,
    );
    await q.query(
      `CREATE INDEX ledger_transfers_reference ON ledger_transfers (tenant_id, reference_type, reference_id)`,
    );
    await q.query(
      `CREATE INDEX ledger_transfers_expiring ON ledger_transfers (timeout_at) WHERE kind = 'pending' AND timeout_at IS NOT NULL`,
    );
    await q.query(`CREATE TRIGGER ledger_transfers_no_update_delete BEFORE UPDATE OR DELETE ON ledger_transfers
                   FOR EACH ROW EXECUTE FUNCTION refuse_row_change()`);
    await q.query(`CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
                   FOR EACH STATEMENT EXECUTE FUNCTION refuse_row_change()`);
    // Per-row foreign keys from transfers to accounts cost more than the insert itself at batch sizes; the
    // ledger service checks tenant and currency under the accounts' row locks instead, and these triggers
    // keep what it checked true for ever: an account is never deleted and never changes tenant or currency.
    await q.query(`
      CREATE FUNCTION ledger_accounts_keep_identity() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_accounts: % of id, tenant or currency refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER ledger_accounts_no_identity_change BEFORE UPDATE OF id, tenant_id, currency ON ledger_accounts
                   FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id
                                      OR OLD.currency IS DISTINCT FROM NEW.currency)
                   EXECUTE FUNCTION ledger_accounts_keep_identity()`);
    await q.query(`CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
                   FOR EACH ROW EXECUTE FUNCTION ledger_accounts_keep_identity()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_transfers`);
    await q.query(`DROP TABLE ledger_accounts`);
    await q.query(`DROP FUNCTION ledger_accounts_keep_identity`);
  }
}
