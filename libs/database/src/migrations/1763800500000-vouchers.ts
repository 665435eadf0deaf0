import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Voucher engine: voucher groups (currency, denominations, expiry policy, which merchant groups may redeem,
 * the program whose funds back them), provisioning runs, the vouchers themselves, merchants, redemptions, the
 * throttle on wrong voucher numbers, the public keys partner building blocks encrypt with, and the answers to
 * v3 batch requests. A voucher number is never stored in clear: a keyed hash finds it, an encrypted copy lets it
 * be handed out at pre-activation or re-printed. Merchant financial addresses are encrypted like payees'.
 */
export class Vouchers1763800500000 implements MigrationInterface {
  name = 'Vouchers1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE voucher_groups (
        id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id             text NOT NULL REFERENCES tenants(id),
        code                  text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$'),
        name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        currency              char(3) NOT NULL,
        program_id            uuid NOT NULL REFERENCES programs(id),
        liability_account_id  uuid NOT NULL REFERENCES ledger_accounts(id),
        denominations         bigint[] NOT NULL DEFAULT '{}',
        validity_days         integer NOT NULL DEFAULT 365 CHECK (validity_days BETWEEN 1 AND 3660),
        expires_on            timestamptz,
        merchant_groups       text[] NOT NULL DEFAULT '{}',
        low_stock_threshold   integer NOT NULL DEFAULT 0 CHECK (low_stock_threshold >= 0),
        status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, code)
      )`);
    await q.query(`
      CREATE TABLE voucher_provisions (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id     text NOT NULL REFERENCES tenants(id),
        group_id      uuid NOT NULL REFERENCES voucher_groups(id),
        count         integer NOT NULL CHECK (count BETWEEN 1 AND 1000000),
        amount        bigint NOT NULL CHECK (amount > 0),
        currency      char(3) NOT NULL,
        total         bigint NOT NULL CHECK (total > 0),
        transfer_id   uuid NOT NULL,
        expires_at    timestamptz NOT NULL,
        actor_id      text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // Serials of generated vouchers are 16 digits (the v1 contract's minimum length) and stay below 2^53, so a
    // JSON number carries them exactly; legacy imports keep the serials they come with.
    await q.query(`CREATE SEQUENCE voucher_serials START WITH 1000000000000001 MAXVALUE 8999999999999999`);
    await q.query(`
      CREATE TABLE vouchers (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id         text NOT NULL REFERENCES tenants(id),
        group_id          uuid NOT NULL REFERENCES voucher_groups(id),
        provision_id      uuid REFERENCES voucher_provisions(id),
        serial            bigint NOT NULL CHECK (serial > 0),
        number_hash       bytea,
        number_enc        bytea,
        number_key_id     text,
        amount            bigint NOT NULL CHECK (amount > 0),
        currency          char(3) NOT NULL,
        state             text NOT NULL CHECK (state IN ('provisioned','preactivated','activated','suspended','blocked',
                            'redeeming','consumed','cancelled','expired','purged')),
        holder_id         uuid REFERENCES participants(id),
        payee_functional_id text,
        instruction_id    text,
        narration         text,
        legacy            boolean NOT NULL DEFAULT false,
        expires_at        timestamptz NOT NULL,
        preactivated_at   timestamptz,
        activated_at      timestamptz,
        finished_at       timestamptz,
        state_reason      text,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, serial),
        CHECK ((state = 'purged') = (number_hash IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX vouchers_number ON vouchers (tenant_id, number_hash) WHERE number_hash IS NOT NULL`,
    );
    // Pre-activation takes any voucher of the group and amount still in stock.
    await q.query(
      `CREATE INDEX vouchers_stock ON vouchers (group_id, amount, serial) WHERE state = 'provisioned'`,
    );
    await q.query(`CREATE INDEX vouchers_by_state ON vouchers (group_id, state)`);
    await q.query(
      `CREATE INDEX vouchers_expiring ON vouchers (expires_at) WHERE state IN ('provisioned','preactivated','activated','suspended')`,
    );
    await q.query(
      `CREATE INDEX vouchers_finished ON vouchers (finished_at) WHERE state IN ('consumed','cancelled','expired')`,
    );

    await q.query(`
      CREATE TABLE merchants (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id        text NOT NULL REFERENCES tenants(id),
        code             text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,40}$'),
        name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        fa_enc           bytea NOT NULL,
        fa_key_id        text NOT NULL,
        fa_hash          bytea NOT NULL,
        fsp_code         text,
        merchant_groups  text[] NOT NULL DEFAULT '{}',
        participant_id   uuid REFERENCES participants(id),
        payable_account_id uuid REFERENCES ledger_accounts(id),
        status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, code)
      )`);
    await q.query(`CREATE INDEX merchants_by_name ON merchants (tenant_id, lower(name))`);

    await q.query(`
      CREATE TABLE voucher_redemptions (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id        text NOT NULL REFERENCES tenants(id),
        voucher_id       uuid NOT NULL REFERENCES vouchers(id),
        merchant_id      uuid NOT NULL REFERENCES merchants(id),
        caller_id        uuid REFERENCES participants(id),
        request_id       text,
        amount           bigint NOT NULL CHECK (amount > 0),
        currency         char(3) NOT NULL,
        override         boolean NOT NULL DEFAULT false,
        state            text NOT NULL CHECK (state IN ('sending','unknown','completed','failed')),
        attempts         integer NOT NULL DEFAULT 0,
        next_check_at    timestamptz,
        fsp_reference    text,
        reason_code      text,
        reason           text,
        transfer_id      uuid,
        created_at       timestamptz NOT NULL DEFAULT now(),
        finished_at      timestamptz
      )`);
    // A voucher has at most one redemption that is under way or done: the database itself refuses a second.
    await q.query(
      `CREATE UNIQUE INDEX voucher_redemptions_one ON voucher_redemptions (voucher_id) WHERE state IN ('sending','unknown','completed')`,
    );
    await q.query(
      `CREATE INDEX voucher_redemptions_open ON voucher_redemptions (next_check_at) WHERE state IN ('sending','unknown')`,
    );

    await q.query(`
      CREATE TABLE voucher_guess_counters (
        tenant_id     text NOT NULL,
        caller        text NOT NULL,
        window_start  timestamptz NOT NULL,
        failures      integer NOT NULL,
        locked_until  timestamptz,
        PRIMARY KEY (tenant_id, caller)
      )`);

    await q.query(`
      CREATE TABLE partner_encryption_keys (
        participant_id  uuid PRIMARY KEY REFERENCES participants(id),
        tenant_id       text NOT NULL REFERENCES tenants(id),
        kid             text NOT NULL CHECK (length(kid) BETWEEN 1 AND 100),
        jwk             jsonb NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE voucher_requests (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id      text NOT NULL REFERENCES tenants(id),
        caller_id      uuid NOT NULL REFERENCES participants(id),
        kind           text NOT NULL CHECK (kind IN ('create','activate','cancel')),
        request_id     text NOT NULL,
        request_hash   text NOT NULL,
        batch_id       text,
        total          integer NOT NULL,
        failed         integer NOT NULL,
        failed_cases   jsonb NOT NULL DEFAULT '[]',
        callback_id    uuid,
        created_at     timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, caller_id, kind, request_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'voucher_requests',
      'partner_encryption_keys',
      'voucher_guess_counters',
      'voucher_redemptions',
      'merchants',
      'vouchers',
      'voucher_provisions',
      'voucher_groups',
    ])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`DROP SEQUENCE IF EXISTS voucher_serials`);
  }
}
