import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * P2G bill payments: the billers table (allocated biller ID and bill-ID prefix, endpoint, credentials for calling
 * it, currencies, settlement account, amount rules, maker-checker state), the payer FIs linked for bill payment,
 * every bill inquiry a payer FI made (what the biller said, which the payment is checked against), the server's
 * view of each bill it has taken money for (the row two payments for one bill serialise on), the payments with
 * their mark-bill-paid advice state (store-and-forward), and requests to pay. Aliases of payers are personal data
 * and are not stored; only their type is.
 */
export class P2g1763800600000 implements MigrationInterface {
  name = 'P2g1763800600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE p2g_counters (
        tenant_id  text NOT NULL REFERENCES tenants(id),
        name       text NOT NULL,
        value      bigint NOT NULL,
        PRIMARY KEY (tenant_id, name)
      )`);
    await q.query(`
      CREATE TABLE billers (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id            text NOT NULL REFERENCES tenants(id),
        biller_id            text NOT NULL CHECK (biller_id ~ '^[A-Z0-9]{1,10}$'),
        prefix               text NOT NULL CHECK (prefix ~ '^[0-9]{4}$'),
        name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        short_name           text NOT NULL CHECK (length(short_name) BETWEEN 1 AND 10),
        kind                 text NOT NULL CHECK (kind IN ('biller','aggregator')),
        participant_id       uuid REFERENCES participants(id),
        base_url             text,
        auth_header_name     text,
        auth_header_enc      bytea,
        auth_header_key_id   text,
        timeout_ms           integer NOT NULL DEFAULT 3000 CHECK (timeout_ms BETWEEN 100 AND 60000),
        currencies           text[] NOT NULL CHECK (cardinality(currencies) >= 1),
        settlement_bank_code text NOT NULL CHECK (length(settlement_bank_code) BETWEEN 1 AND 11),
        settlement_account   text NOT NULL CHECK (length(settlement_account) BETWEEN 1 AND 34),
        settlement_name      text,
        amount_exactness     text NOT NULL CHECK (amount_exactness IN ('EXACT','EXACT_UP','EXACT_DOWN','ANY')),
        partial_payment      boolean NOT NULL DEFAULT false,
        min_amount           bigint NOT NULL DEFAULT 0 CHECK (min_amount >= 0),
        status               text NOT NULL CHECK (status IN ('pending_approval','active','suspended','rejected')),
        created_by           text NOT NULL,
        decided_by           text,
        decided_at           timestamptz,
        decision_reason      text,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, biller_id),
        UNIQUE (tenant_id, prefix),
        CHECK ((auth_header_enc IS NULL) = (auth_header_name IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX billers_participant ON billers (participant_id) WHERE participant_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE payer_fis (
        tenant_id       text NOT NULL REFERENCES tenants(id),
        participant_id  uuid NOT NULL REFERENCES participants(id),
        bic             text NOT NULL CHECK (bic ~ '^[A-Za-z0-9]{1,11}$'),
        base_url        text NOT NULL,
        status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, participant_id),
        UNIQUE (tenant_id, bic)
      )`);
    await q.query(`
      CREATE TABLE bill_inquiries (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id           text NOT NULL,
        payer_fi_id         uuid NOT NULL,
        request_id          text NOT NULL,
        biller_pk           uuid NOT NULL REFERENCES billers(id),
        bill_id             text NOT NULL,
        bill_status         text NOT NULL,
        due_date            date,
        amount_due          bigint NOT NULL,
        amount_after_due    bigint NOT NULL,
        currency            char(3) NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, payer_fi_id, request_id)
      )`);
    await q.query(`
      CREATE TABLE bills (
        tenant_id     text NOT NULL,
        bill_id       text NOT NULL,
        biller_pk     uuid NOT NULL REFERENCES billers(id),
        currency      char(3) NOT NULL,
        amount_due    bigint NOT NULL CHECK (amount_due >= 0),
        amount_paid   bigint NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
        status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open','partially_paid','paid')),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, bill_id)
      )`);
    await q.query(`CREATE SEQUENCE bill_receipt_seq`);
    await q.query(`
      CREATE TABLE bill_payments (
        id                  uuid PRIMARY KEY,
        tenant_id           text NOT NULL,
        payer_fi_id         uuid NOT NULL REFERENCES participants(id),
        channel             text NOT NULL CHECK (channel IN ('govstack','bbps','voucher')),
        transaction_id      text NOT NULL,
        request_id          text NOT NULL,
        body_hash           text NOT NULL,
        inquiry_id          uuid REFERENCES bill_inquiries(id),
        biller_pk           uuid NOT NULL REFERENCES billers(id),
        bill_id             text NOT NULL,
        amount              bigint NOT NULL CHECK (amount > 0),
        currency            char(3) NOT NULL,
        receipt_no          text NOT NULL UNIQUE,
        ledger_transfer_id  uuid NOT NULL,
        voucher_id          uuid,
        status              text NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded','completed','rejected')),
        reject_reason       text,
        advice_status       text NOT NULL DEFAULT 'pending'
                              CHECK (advice_status IN ('pending','accepted','acknowledged','rejected','failed','internal')),
        advice_attempts     integer NOT NULL DEFAULT 0,
        advice_next_at      timestamptz,
        advice_lease_until  timestamptz,
        advice_last_status  integer,
        advice_last_error   text,
        advice_done_at      timestamptz,
        payer_notified_id   uuid,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, payer_fi_id, transaction_id)
      )`);
    await q.query(
      `CREATE INDEX bill_payments_advice_due ON bill_payments (advice_next_at) WHERE advice_status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX bill_payments_settlement ON bill_payments (tenant_id, created_at, biller_pk)`,
    );
    await q.query(`CREATE INDEX bill_payments_bill ON bill_payments (tenant_id, bill_id)`);
    await q.query(`CREATE SEQUENCE rtp_no_seq START 100000000001`);
    await q.query(`
      CREATE TABLE rtp_requests (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id         text NOT NULL,
        rtp_no            bigint NOT NULL UNIQUE DEFAULT nextval('rtp_no_seq'),
        biller_pk         uuid NOT NULL REFERENCES billers(id),
        request_id        text NOT NULL,
        biller_rtp_id     text,
        body_hash         text NOT NULL,
        bill_id           text NOT NULL,
        amount            bigint NOT NULL CHECK (amount > 0),
        currency          char(3) NOT NULL,
        request_type      text NOT NULL CHECK (request_type IN ('00','01')),
        alias_type        text,
        payer_fi_id       uuid NOT NULL REFERENCES participants(id),
        callback_url      text NOT NULL,
        status            text NOT NULL DEFAULT 'PND' CHECK (status IN ('PND','COM','RJC','EXP','CAN')),
        payer_response    text CHECK (payer_response IN ('00','01')),
        reject_reason     text,
        payment_id        uuid REFERENCES bill_payments(id),
        expires_at        timestamptz NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, biller_pk, request_id)
      )`);
    await q.query(`CREATE INDEX rtp_requests_open ON rtp_requests (tenant_id, bill_id) WHERE status = 'PND'`);
    await q.query(`CREATE INDEX rtp_requests_expiry ON rtp_requests (expires_at) WHERE status = 'PND'`);
    // A request to pay by alias asks the account mapper for the payer's institution across source BBs.
    await q.query(`CREATE INDEX beneficiaries_by_functional_id ON beneficiaries (tenant_id, functional_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS beneficiaries_by_functional_id`);
    await q.query(`DROP TABLE IF EXISTS rtp_requests`);
    await q.query(`DROP SEQUENCE IF EXISTS rtp_no_seq`);
    await q.query(`DROP TABLE IF EXISTS bill_payments`);
    await q.query(`DROP SEQUENCE IF EXISTS bill_receipt_seq`);
    await q.query(`DROP TABLE IF EXISTS bills`);
    await q.query(`DROP TABLE IF EXISTS bill_inquiries`);
    await q.query(`DROP TABLE IF EXISTS payer_fis`);
    await q.query(`DROP TABLE IF EXISTS billers`);
    await q.query(`DROP TABLE IF EXISTS p2g_counters`);
  }
}
