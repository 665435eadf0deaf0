import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DIGIT-compatible billing and collection (docs/digit.md): DIGIT users with roles per tenant, business services
 * and tax heads (the MDMS masters), ID formats and their gapless counters, demands with their tax-head details,
 * bills generated from them, payments with one receipt per bill, remittances and bank-account mappings. A payer's
 * name, mobile number and e-mail are personal data: kept encrypted, found by a keyed hash of the mobile number.
 * Amounts are integer minor units (paise); the DIGIT API shows them as rupees.
 */
export class Digit1763800700000 implements MigrationInterface {
  name = 'Digit1763800700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE digit_users (
        uuid           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        id             bigserial UNIQUE,
        tenant_id      text NOT NULL,
        user_name      text NOT NULL CHECK (length(user_name) BETWEEN 1 AND 180),
        password_hash  text NOT NULL,
        name           text NOT NULL,
        type           text NOT NULL CHECK (type IN ('EMPLOYEE','CITIZEN','SYSTEM','BUSINESS')),
        mobile_number  text,
        email_id       text,
        roles          jsonb NOT NULL DEFAULT '[]',
        active         boolean NOT NULL DEFAULT true,
        created_by     text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, user_name, type)
      )`);
    await q.query(`
      CREATE TABLE digit_business_services (
        tenant_id                     text NOT NULL,
        code                          text NOT NULL CHECK (code ~ '^[!-~][ -~]{0,127}$'),
        business_service              text NOT NULL,
        part_payment_allowed          boolean NOT NULL DEFAULT false,
        advance_allowed               boolean NOT NULL DEFAULT false,
        min_amount_payable            bigint NOT NULL DEFAULT 0 CHECK (min_amount_payable >= 0),
        collection_modes_not_allowed  text[] NOT NULL DEFAULT '{}',
        demand_update_time            bigint NOT NULL DEFAULT 86400000,
        bill_expiry_days              integer NOT NULL DEFAULT 30 CHECK (bill_expiry_days BETWEEN 1 AND 3650),
        currency                      char(3) NOT NULL DEFAULT 'INR',
        created_at                    timestamptz NOT NULL DEFAULT now(),
        updated_at                    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, code)
      )`);
    await q.query(`
      CREATE TABLE digit_tax_heads (
        tenant_id  text NOT NULL,
        service    text NOT NULL,
        code       text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{2,64}$'),
        name       text NOT NULL,
        category   text NOT NULL CHECK (category IN ('TAX','FEE','CHARGES','REBATE','ADVANCE_COLLECTION','PENALTY','FINES','EXEMPTION','INTEREST')),
        ord        integer NOT NULL DEFAULT 0,
        is_debit   boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, service, code)
      )`);
    await q.query(`
      CREATE TABLE digit_id_formats (
        tenant_id  text NOT NULL,
        id_name    text NOT NULL,
        format     text NOT NULL,
        PRIMARY KEY (tenant_id, id_name)
      )`);
    await q.query(`
      CREATE TABLE digit_id_counters (
        tenant_id  text NOT NULL,
        name       text NOT NULL,
        value      bigint NOT NULL,
        PRIMARY KEY (tenant_id, name)
      )`);
    await q.query(`
      CREATE TABLE digit_demands (
        id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id               text NOT NULL,
        consumer_code           text NOT NULL CHECK (length(consumer_code) BETWEEN 1 AND 256),
        consumer_type           text,
        business_service        text NOT NULL,
        payer_enc               bytea,
        payer_key_id            text,
        mobile_hash             bytea,
        tax_period_from         bigint NOT NULL,
        tax_period_to           bigint NOT NULL CHECK (tax_period_to >= tax_period_from),
        bill_expiry_time        bigint,
        fixed_bill_expiry_date  bigint,
        minimum_amount_payable  bigint NOT NULL DEFAULT 0,
        status                  text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','CANCELLED','ADJUSTED')),
        is_payment_completed    boolean NOT NULL DEFAULT false,
        additional_details      jsonb,
        created_by              text NOT NULL,
        created_at              timestamptz NOT NULL DEFAULT now(),
        updated_at              timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX digit_demands_consumer ON digit_demands (tenant_id, business_service, consumer_code)`,
    );
    await q.query(
      `CREATE INDEX digit_demands_mobile ON digit_demands (tenant_id, mobile_hash) WHERE mobile_hash IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE digit_demand_details (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        demand_id          uuid NOT NULL REFERENCES digit_demands(id),
        tenant_id          text NOT NULL,
        tax_head_code      text NOT NULL,
        tax_amount         bigint NOT NULL,
        collection_amount  bigint NOT NULL DEFAULT 0,
        created_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX digit_demand_details_demand ON digit_demand_details (demand_id)`);
    await q.query(`
      CREATE TABLE digit_bills (
        id                            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id                     text NOT NULL,
        bill_number                   text NOT NULL,
        consumer_code                 text NOT NULL,
        business_service              text NOT NULL,
        status                        text NOT NULL CHECK (status IN ('ACTIVE','CANCELLED','PAID','PARTIALLY_PAID','PAYMENT_CANCELLED','EXPIRED')),
        total_amount                  bigint NOT NULL,
        amount_paid                   bigint NOT NULL DEFAULT 0,
        payer_enc                     bytea,
        payer_key_id                  text,
        mobile_hash                   bytea,
        bill_date                     bigint NOT NULL,
        expiry_date                   bigint NOT NULL,
        part_payment_allowed          boolean NOT NULL,
        advance_allowed               boolean NOT NULL,
        minimum_amount_payable        bigint NOT NULL,
        collection_modes_not_allowed  text[] NOT NULL,
        additional_details            jsonb,
        created_at                    timestamptz NOT NULL DEFAULT now(),
        updated_at                    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, bill_number)
      )`);
    await q.query(
      `CREATE INDEX digit_bills_consumer ON digit_bills (tenant_id, business_service, consumer_code, status)`,
    );
    await q.query(
      `CREATE INDEX digit_bills_mobile ON digit_bills (tenant_id, mobile_hash) WHERE mobile_hash IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE digit_bill_details (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bill_id       uuid NOT NULL REFERENCES digit_bills(id),
        tenant_id     text NOT NULL,
        demand_id     uuid NOT NULL REFERENCES digit_demands(id),
        from_period   bigint NOT NULL,
        to_period     bigint NOT NULL,
        amount        bigint NOT NULL,
        amount_paid   bigint NOT NULL DEFAULT 0,
        expiry_date   bigint NOT NULL
      )`);
    await q.query(`CREATE INDEX digit_bill_details_bill ON digit_bill_details (bill_id)`);
    await q.query(`
      CREATE TABLE digit_bill_account_details (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bill_detail_id    uuid NOT NULL REFERENCES digit_bill_details(id),
        tenant_id         text NOT NULL,
        tax_head_code     text NOT NULL,
        ord               integer NOT NULL,
        amount            bigint NOT NULL,
        adjusted_amount   bigint NOT NULL DEFAULT 0
      )`);
    await q.query(
      `CREATE INDEX digit_bill_account_details_detail ON digit_bill_account_details (bill_detail_id)`,
    );
    await q.query(`
      CREATE TABLE digit_payments (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id           text NOT NULL,
        total_due           bigint NOT NULL,
        total_amount_paid   bigint NOT NULL,
        transaction_number  text NOT NULL,
        transaction_date    bigint NOT NULL,
        payment_mode        text NOT NULL,
        instrument_date     bigint,
        instrument_number   text,
        instrument_status   text NOT NULL,
        ifsc_code           text,
        additional_details  jsonb,
        paid_by             text NOT NULL,
        payer_enc           bytea,
        payer_key_id        text,
        mobile_hash         bytea,
        payer_id            text,
        payment_status      text NOT NULL,
        body_hash           text NOT NULL,
        created_by          text NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, payment_mode, transaction_number)
      )`);
    await q.query(`CREATE INDEX digit_payments_date ON digit_payments (tenant_id, transaction_date DESC)`);
    await q.query(`
      CREATE TABLE digit_payment_details (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        payment_id         uuid NOT NULL REFERENCES digit_payments(id),
        tenant_id          text NOT NULL,
        bill_id            uuid NOT NULL REFERENCES digit_bills(id),
        business_service   text NOT NULL,
        consumer_code      text NOT NULL,
        total_due          bigint NOT NULL,
        total_amount_paid  bigint NOT NULL,
        receipt_number     text NOT NULL,
        receipt_date       bigint NOT NULL,
        receipt_type       text NOT NULL DEFAULT 'BillBased',
        manual_receipt_number text,
        manual_receipt_date   bigint,
        apportioned        jsonb NOT NULL,
        ledger_transfer_id uuid,
        additional_details jsonb,
        UNIQUE (tenant_id, receipt_number)
      )`);
    await q.query(`CREATE INDEX digit_payment_details_payment ON digit_payment_details (payment_id)`);
    await q.query(`CREATE INDEX digit_payment_details_bill ON digit_payment_details (bill_id)`);
    await q.query(
      `CREATE INDEX digit_payment_details_consumer ON digit_payment_details (tenant_id, consumer_code)`,
    );
    await q.query(`
      CREATE TABLE digit_remittances (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id         text NOT NULL,
        reference_number  text NOT NULL,
        reference_date    bigint NOT NULL,
        body              jsonb NOT NULL,
        status            text NOT NULL DEFAULT 'APPROVED',
        created_by        text NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, reference_number)
      )`);
    await q.query(`
      CREATE TABLE digit_bank_account_mappings (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id         text NOT NULL,
        business_details  text NOT NULL,
        bank_account      text NOT NULL,
        bank              text,
        bank_branch       text,
        created_by        text NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, business_details, bank_account)
      )`);
    // A DIGIT tenant's business service can be a biller of the P2G API (an internal biller: no endpoint).
    await q.query(
      `ALTER TABLE billers ADD COLUMN digit_tenant_id text, ADD COLUMN digit_business_service text`,
    );
    await q.query(
      `ALTER TABLE billers ADD CONSTRAINT billers_endpoint_or_digit CHECK ((base_url IS NULL) <> (digit_tenant_id IS NULL))`,
    );
    await q.query(
      `ALTER TABLE billers ADD CONSTRAINT billers_digit_pair CHECK ((digit_tenant_id IS NULL) = (digit_business_service IS NULL))`,
    );
    // An internal biller's bill ID (prefix + consumer code) names a new DIGIT bill every period: the server's view
    // of what was paid is kept per DIGIT bill.
    await q.query(`ALTER TABLE bill_payments ADD COLUMN bill_key text`);
    // Who hears of payments (the module services DIGIT's Kafka topics feed): delivered by the callbacks library,
    // scheduled in the payment's own transaction (a transactional outbox).
    await q.query(`
      CREATE TABLE digit_subscriptions (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id       text NOT NULL,
        participant_id  uuid NOT NULL REFERENCES participants(id),
        url             text NOT NULL,
        events          text[] NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, participant_id, url)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bill_payments DROP COLUMN IF EXISTS bill_key`);
    await q.query(
      `ALTER TABLE billers DROP CONSTRAINT IF EXISTS billers_digit_pair, DROP CONSTRAINT IF EXISTS billers_endpoint_or_digit`,
    );
    await q.query(
      `ALTER TABLE billers DROP COLUMN IF EXISTS digit_tenant_id, DROP COLUMN IF EXISTS digit_business_service`,
    );
    for (const t of [
      'digit_subscriptions',
      'digit_bank_account_mappings',
      'digit_remittances',
      'digit_payment_details',
      'digit_payments',
      'digit_bill_account_details',
      'digit_bill_details',
      'digit_bills',
      'digit_demand_details',
      'digit_demands',
      'digit_id_counters',
      'digit_id_formats',
      'digit_tax_heads',
      'digit_business_services',
      'digit_users',
    ])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}
