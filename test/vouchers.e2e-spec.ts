import { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import request from 'supertest';
import { generateVoucherNumber } from '../apps/payments-bb/src/vouchers/domain/voucher-number';
import { CallbackReceiver, startCallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { PayerFspSimulator, startPayerFsp } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { as, uniqueMsisdn } from './support/bulk-fixtures';
import { functionalId, id12 } from './support/factories';
import { spawnTs, waitForOutput } from './support/spawn';
import { createTestApp, TestApp, uniqueQueuePrefix } from './support/test-app';
import { TEST_ENV } from './support/test-env';
import {
  activateRaw,
  activeVoucher,
  asText,
  cancel,
  createVoucherWorld,
  eventually,
  merchantGroupOf,
  netCredit,
  openJwe,
  preactivate,
  preactivateRaw,
  provision,
  putMerchant,
  redeem,
  registerPartnerKey,
  rsaKeyPair,
  sealJwe,
  serverKey,
  setTransferMode,
  statusCheck,
  transfersOf,
  VoucherWorld,
  VoucherWorldOptions,
  voucherRow,
} from './support/voucher-fixtures';

const serverKeys = rsaKeyPair();
const partnerKeys = rsaKeyPair();

const VOUCHER_ENV = {
  VOUCHER_SWEEP_INTERVAL_MS: '300',
  VOUCHER_REDEMPTION_CHECK_MS: '200',
  VOUCHER_JWE_PRIVATE_KEY: serverKeys.privatePem,
  VOUCHER_GUESS_THROTTLE_AFTER: '3',
  VOUCHER_GUESS_LOCKOUT_AFTER: '5',
};

/** 10.00 TZS in minor units. */
const TEN = 1000n;

interface V3Created {
  instructionID: string;
  serialNumber: string;
  voucherNumber: string;
  currency: string;
  amount: string;
  expiryDateTime: string;
}

describe('Vouchers end to end (v1, v3, ledger, payer FSP)', () => {
  let t: TestApp;
  let fsp: PayerFspSimulator;
  let sink: CallbackReceiver;

  beforeAll(async () => {
    fsp = await startPayerFsp({ port: 0 });
    sink = await startCallbackReceiver({ port: 0 });
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...VOUCHER_ENV });
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    await t?.close();
    await fsp?.close();
    await sink?.close();
  });

  beforeEach(() => setTransferMode(fsp, 'complete'));

  const world = (o: VoucherWorldOptions = {}) => createVoucherWorld(t, fsp, { callbackBase: sink.url, ...o });

  describe('v1 errors, each with its status and { message, code }', () => {
    let w: VoucherWorld;
    beforeAll(async () => {
      w = await world({ stock: 20 });
    });

    it('400 when a required field is missing', async () => {
      const res = await preactivateRaw(t, w, { voucher_group: undefined });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ message: expect.any(String), code: 'VALIDATION_FAILED' });
      const act = await t
        .http()
        .patch('/vouchers/voucher_activation')
        .set(as(w.source))
        .send({ Gov_Stack_BB: w.source.code });
      expect(act.status).toBe(400);
      expect(act.body).toMatchObject({ message: expect.any(String), code: 'VALIDATION_FAILED' });
    });

    it('452 for an amount that is no number or not a denomination', async () => {
      for (const amount of ['12.00', 'ten', '10.001']) {
        const res = await preactivateRaw(t, w, { voucher_amount: amount });
        expect(res.status).toBe(452);
        expect(res.body).toMatchObject({
          message: expect.stringMatching(/^Invalid amount/),
          code: 'VOUCHER_INVALID_AMOUNT',
        });
      }
    });

    it('453 for another currency', async () => {
      const res = await preactivateRaw(t, w, { voucher_currency: 'KES' });
      expect(res.status).toBe(453);
      expect(res.body).toMatchObject({
        message: expect.stringMatching(/^Invalid currency/),
        code: 'VOUCHER_INVALID_CURRENCY',
      });
    });

    it('454 for an unknown voucher group', async () => {
      const res = await preactivateRaw(t, w, { voucher_group: 'NO-SUCH-GROUP' });
      expect(res.status).toBe(454);
      expect(res.body).toMatchObject({
        message: expect.stringMatching(/^Invalid voucher group/),
        code: 'VOUCHER_INVALID_GROUP',
      });
    });

    it('455 when the group has no stock left for the amount', async () => {
      const small = await world({ stock: 1 });
      expect((await preactivateRaw(t, small)).status).toBe(200);
      const res = await preactivateRaw(t, small);
      expect(res.status).toBe(455);
      expect(res.body).toMatchObject({
        message: expect.stringMatching(/exhausted/),
        code: 'VOUCHER_GROUP_EXHAUSTED',
      });
    });

    it('460 for a Gov_Stack_BB that is no participant; 403 for a BB naming another', async () => {
      const res = await preactivateRaw(t, w, { Gov_Stack_BB: 'NO-SUCH-BB-01' }).set(as(w.operator));
      expect(res.status).toBe(460);
      expect(res.body).toMatchObject({
        message: expect.stringMatching(/does not exist/),
        code: 'VOUCHER_UNKNOWN_BB',
      });
      const other = await preactivateRaw(t, w, { Gov_Stack_BB: w.operator.code });
      expect(other.status).toBe(403);
      expect(other.body).toMatchObject({ message: expect.any(String), code: 'FORBIDDEN' });
    });

    it('456 for an invalid or unknown serial on activation and status check', async () => {
      for (const serial of ['abc', '8999999999999998', 0]) {
        const res = await activateRaw(t, w, serial);
        expect(res.status).toBe(456);
        expect(res.body).toMatchObject({
          message: 'Invalid voucher serial number',
          code: 'VOUCHER_INVALID_SERIAL',
        });
      }
      const st = await statusCheck(t, w, 'not-a-serial');
      expect(st.status).toBe(456);
      expect(st.body).toMatchObject({ message: 'Invalid voucher serial number' });
    });

    it("'Not Existing' from the status check of an unknown serial", async () => {
      const res = await statusCheck(t, w, '8999999999999997');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ voucher_status: 'Not Existing', voucher_amount: '0' });
    });

    it('461 for an unknown voucher number; a pre-activated voucher cannot be redeemed either', async () => {
      const mw = await world();
      const res = await redeem(t, mw, generateVoucherNumber());
      expect(res.status).toBe(461);
      expect(res.body).toMatchObject({
        message: expect.stringMatching(/^Invalid voucher number/),
        code: 'VOUCHER_INVALID_NUMBER',
      });
      const bad = await redeem(t, mw, 'not digits');
      expect(bad.status).toBe(461);
      const pre = await preactivate(t, mw);
      const early = await redeem(t, mw, pre.voucher_number);
      expect(early.status).toBe(461);
      expect(early.body.message).toMatch(/not activated/);
    });

    it('458 for a voucher already used, from redemption and status check', async () => {
      const v = await activeVoucher(t, w);
      expect((await redeem(t, w, v.voucher_number)).status).toBe(200);
      const again = await redeem(t, w, v.voucher_number);
      expect(again.status).toBe(458);
      expect(again.body).toMatchObject({
        message: 'Voucher number already used',
        code: 'VOUCHER_ALREADY_USED',
      });
      const st = await statusCheck(t, w, v.voucher_serial_number);
      expect(st.status).toBe(458);
      expect(st.body).toMatchObject({ message: 'Voucher number already used', code: 'VOUCHER_ALREADY_USED' });
    });

    it('459 for an expired voucher, from redemption and status check', async () => {
      const v = await activeVoucher(t, w);
      await t.ds.query(
        `UPDATE vouchers SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1 AND serial = $2`,
        [w.tenantId, v.voucher_serial_number],
      );
      const res = await redeem(t, w, v.voucher_number);
      expect(res.status).toBe(459);
      expect(res.body).toMatchObject({ message: 'Voucher has expired', code: 'VOUCHER_EXPIRED' });
      await eventually(
        async () => (await voucherRow(t, w, v.voucher_serial_number)).state === 'expired',
        'the sweeper',
      );
      const st = await statusCheck(t, w, v.voucher_serial_number);
      expect(st.status).toBe(459);
      expect(st.body).toMatchObject({ message: 'Voucher has expired', code: 'VOUCHER_EXPIRED' });
    });

    it('459 when a pre-activated voucher is activated past its date, before the sweeper has seen it', async () => {
      const pre = await preactivate(t, w);
      await t.ds.query(
        `UPDATE vouchers SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND serial = $2`,
        [w.tenantId, pre.voucher_serial_number],
      );
      const res = await activateRaw(t, w, pre.voucher_serial_number);
      expect(res.status).toBe(459);
      expect(res.body).toMatchObject({ message: 'Voucher has expired', code: 'VOUCHER_EXPIRED' });
      expect((await voucherRow(t, w, pre.voucher_serial_number)).state).not.toBe('activated');
    });

    it('462 when the payer FSP says the funding account is short; the voucher stays redeemable', async () => {
      const v = await activeVoucher(t, w);
      const liability = await netCredit(t, w.liabilityAccountId);
      setTransferMode(fsp, 'insufficient_funds');
      const res = await redeem(t, w, v.voucher_number);
      expect(res.status).toBe(462);
      expect(res.body).toMatchObject({
        message: 'Insufficient funds in funding account',
        code: 'VOUCHER_INSUFFICIENT_FUNDS',
      });
      expect(await netCredit(t, w.liabilityAccountId)).toBe(liability);
      expect((await statusCheck(t, w, v.voucher_serial_number)).body).toEqual({
        voucher_status: 'Activated',
        voucher_amount: '10.00',
      });
      setTransferMode(fsp, 'complete');
      const ok = await redeem(t, w, v.voucher_number);
      expect(ok.status).toBe(200);
      expect(fsp.executions().get(ok.body.transaction_id)).toBe(1);
    });

    it('463 when the merchant cannot be credited (closed or blocked account, unknown merchant)', async () => {
      for (const status of ['closed', 'blocked'] as const) {
        const m = await putMerchant(t, w, { merchantGroups: [merchantGroupOf(w.groupCode)] });
        fsp.setAccount(m.financialAddress, { status });
        const v = await activeVoucher(t, w);
        const res = await redeem(t, w, v.voucher_number, { merchant: m });
        expect(res.status).toBe(463);
        expect(res.body).toMatchObject({
          message: expect.stringMatching(
            new RegExp(`^Cannot credit merchant.*${status === 'closed' ? 'AC04' : 'AC06'}`),
          ),
          code: 'VOUCHER_MERCHANT_NOT_CREDITED',
        });
        // Released: the same voucher is redeemed at a merchant whose account is open.
        expect((await statusCheck(t, w, v.voucher_serial_number)).body.voucher_status).toBe('Activated');
        expect((await redeem(t, w, v.voucher_number)).status).toBe(200);
      }
      const v = await activeVoucher(t, w);
      const unknown = await redeem(t, w, v.voucher_number, {
        merchant: { ...w.merchant, financialAddress: uniqueMsisdn() },
      });
      expect(unknown.status).toBe(463);
      expect(unknown.body).toMatchObject({
        message: expect.stringMatching(/^Cannot credit merchant/),
        code: 'VOUCHER_MERCHANT_NOT_CREDITED',
      });
    });

    it('464 for a cancelled voucher, from redemption and a second cancel; 463 Not Existing for an unknown one', async () => {
      const v = await activeVoucher(t, w);
      expect((await cancel(t, w, v.voucher_serial_number)).body).toEqual({ message: 'Cancelled' });
      const res = await redeem(t, w, v.voucher_number);
      expect(res.status).toBe(464);
      expect(res.body).toMatchObject({ message: 'Voucher is cancelled', code: 'VOUCHER_ALREADY_CANCELLED' });
      const twice = await cancel(t, w, v.voucher_serial_number);
      expect(twice.status).toBe(464);
      expect(twice.body).toMatchObject({ message: 'Already Cancelled', code: 'VOUCHER_ALREADY_CANCELLED' });
      const unknown = await cancel(t, w, '8999999999999996');
      expect(unknown.status).toBe(463);
      expect(unknown.body).toMatchObject({ message: 'Not Existing' });
    });

    it('429 after repeated wrong numbers: slowed after 3, locked out after 5 (even for a right number)', async () => {
      const gw = await world();
      const good = await activeVoucher(t, gw);
      for (let i = 0; i < 3; i++) expect((await redeem(t, gw, generateVoucherNumber())).status).toBe(461);
      const slowed = await redeem(t, gw, generateVoucherNumber());
      expect(slowed.status).toBe(429);
      expect(slowed.body).toMatchObject({
        message: expect.stringMatching(/^Too many invalid voucher numbers/),
        code: 'VOUCHER_LOCKED_OUT',
      });
      // Once the wait is over, guesses go on (and count) until the lock-out.
      for (let failures = 3; failures < 5; failures++) {
        const r = await eventually(async () => {
          const x = await redeem(t, gw, generateVoucherNumber());
          return x.status === 429 ? undefined : x;
        }, 'the throttle to pass');
        expect(r.status).toBe(461);
      }
      const locked = await redeem(t, gw, good.voucher_number);
      expect(locked.status).toBe(429);
      const wait = Number(/try again in (\d+) s/.exec(locked.body.message)?.[1]);
      expect(wait).toBeGreaterThan(60);
      // Another merchant is another counter: the voucher itself is fine.
      const other = await putMerchant(t, gw, { merchantGroups: [merchantGroupOf(gw.groupCode)] });
      expect((await redeem(t, gw, good.voucher_number, { merchant: other })).status).toBe(200);
    }, 60_000);
  });

  describe('v1 lifecycle and the ledger', () => {
    it('preactivate -> activate -> status -> redeem -> 458: the amount moves exactly once and the FSP pays once', async () => {
      const w = await world({ stock: 5 });
      // Provisioning took 5 x 10.00 from the program into the group's liability account.
      expect(await netCredit(t, w.fundingAccountId)).toBe(100_000n - 5n * TEN);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(5n * TEN);

      const v = await preactivate(t, w);
      expect(v.voucher_serial_number).toMatch(/^[0-9]{16}$/);
      expect(v.voucher_number).toMatch(/^[0-9]{16,25}$/);
      expect(new Date(v.expiry_date_time).getTime()).toBeGreaterThan(Date.now());
      expect((await statusCheck(t, w, v.voucher_serial_number)).body).toEqual({
        voucher_status: 'Pre-Activated',
        voucher_amount: '10.00',
      });

      // The serial as the contract's integer.
      const act = await activateRaw(t, w, Number(v.voucher_serial_number));
      expect(act.status).toBe(200);
      expect(act.body).toEqual({ result_status: 'Activated' });
      expect((await activateRaw(t, w, v.voucher_serial_number)).body).toEqual({ result_status: 'Activated' });
      expect((await statusCheck(t, w, v.voucher_serial_number)).body).toEqual({
        voucher_status: 'Activated',
        voucher_amount: '10.00',
      });

      const res = await redeem(t, w, v.voucher_number);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        result_status: 'Redeemed',
        transaction_id: expect.any(String),
        voucher_serial_number: v.voucher_serial_number,
        voucher_amount: '10.00',
        voucher_currency: 'TZS',
      });
      const txId = res.body.transaction_id as string;
      expect(fsp.executions().get(txId)).toBe(1);
      expect((await statusCheck(t, w, v.voucher_serial_number)).status).toBe(458);
      expect((await redeem(t, w, v.voucher_number)).status).toBe(458);
      expect((await redeem(t, w, Number(v.voucher_number))).status).toBe(458);

      expect(fsp.executions().get(txId)).toBe(1);
      expect(await netCredit(t, w.fundingAccountId)).toBe(100_000n - 5n * TEN);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(4n * TEN);
      const moves = await transfersOf(t, w.liabilityAccountId);
      expect(moves.map((m) => [m.code, m.amount])).toEqual([
        ['voucher.provision', '5000'],
        ['voucher.redeem', '1000'],
      ]);
      expect(moves[0]).toMatchObject({ debit: w.fundingAccountId, credit: w.liabilityAccountId });
      expect(moves[1].debit).toBe(w.liabilityAccountId);
      const byRef = (await t.ds.query(
        `SELECT code, amount::text AS amount FROM ledger_transfers WHERE reference_id = $1 ORDER BY code`,
        [txId],
      )) as { code: string; amount: string }[];
      expect(byRef).toEqual([
        { code: 'voucher.merchant_paid', amount: '1000' },
        { code: 'voucher.redeem', amount: '1000' },
      ]);
      expect(await voucherRow(t, w, v.voucher_serial_number)).toMatchObject({ state: 'consumed' });
    });

    it('serves the voucher_redemption spelling too', async () => {
      const w = await world({ stock: 1 });
      const v = await activeVoucher(t, w);
      const res = await redeem(t, w, v.voucher_number, { path: 'voucher_redemption' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        result_status: 'Redeemed',
        voucher_serial_number: v.voucher_serial_number,
      });
      expect(fsp.executions().get(res.body.transaction_id)).toBe(1);
      expect((await redeem(t, w, v.voucher_number, { path: 'voucher_redemption' })).status).toBe(458);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(0n);
    });

    it('cancelling gives the value back to the funding account', async () => {
      const w = await world({ stock: 3 });
      const v = await activeVoucher(t, w);
      const pre = await preactivate(t, w);
      const funding = await netCredit(t, w.fundingAccountId);
      const res = await cancel(t, w, v.voucher_serial_number);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Cancelled' });
      expect((await cancel(t, w, pre.voucher_serial_number)).body).toEqual({ message: 'Cancelled' });
      expect(await netCredit(t, w.fundingAccountId)).toBe(funding + 2n * TEN);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(TEN);
      const back = (await transfersOf(t, w.liabilityAccountId)).filter((m) => m.code === 'voucher.cancel');
      expect(back.map((m) => m.amount)).toEqual(['1000', '1000']);
      expect(back.every((m) => m.credit === w.fundingAccountId)).toBe(true);
      expect(await voucherRow(t, w, v.voucher_serial_number)).toMatchObject({ state: 'cancelled' });
      // A cancelled voucher can neither be activated nor redeemed.
      expect((await activateRaw(t, w, pre.voucher_serial_number)).status).toBe(456);
      expect((await redeem(t, w, v.voucher_number)).status).toBe(464);
    });

    it('the sweeper expires vouchers past their date and gives their value back', async () => {
      const w = await world({ stock: 4 });
      const a = await activeVoucher(t, w);
      const p = await preactivate(t, w);
      const funding = await netCredit(t, w.fundingAccountId);
      await t.ds.query(
        `UPDATE vouchers SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND serial = ANY($2::bigint[])`,
        [w.tenantId, [a.voucher_serial_number, p.voucher_serial_number]],
      );
      await eventually(async () => {
        const rows = await Promise.all([
          voucherRow(t, w, a.voucher_serial_number),
          voucherRow(t, w, p.voucher_serial_number),
        ]);
        return rows.every((r) => r.state === 'expired');
      }, 'both vouchers to expire');
      expect(await netCredit(t, w.fundingAccountId)).toBe(funding + 2n * TEN);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(2n * TEN);
      const back = (await transfersOf(t, w.liabilityAccountId)).filter((m) => m.code === 'voucher.expire');
      expect(back.reduce((s, m) => s + BigInt(m.amount), 0n)).toBe(2n * TEN);
      expect(back.every((m) => m.credit === w.fundingAccountId)).toBe(true);
      expect((await redeem(t, w, a.voucher_number)).status).toBe(459);
      expect((await statusCheck(t, w, p.voucher_serial_number)).status).toBe(459);
      // Stock not yet due is left alone.
      const [left] = (await t.ds.query(
        `SELECT count(*)::int AS n FROM vouchers v JOIN voucher_groups g ON g.id = v.group_id WHERE g.tenant_id = $1 AND v.state = 'provisioned'`,
        [w.tenantId],
      )) as { n: number }[];
      expect(left.n).toBe(2);
    });

    it('merchant groups restrict where a voucher is redeemed (463); override lifts it for an operator only', async () => {
      const w = await world({ stock: 3 });
      const elsewhere = await putMerchant(t, w, { merchantGroups: ['FUEL'] });
      const v = await activeVoucher(t, w);
      const res = await redeem(t, w, v.voucher_number, { merchant: elsewhere });
      expect(res.status).toBe(463);
      expect(res.body).toMatchObject({ message: expect.stringMatching(/^Cannot credit merchant/) });
      // A merchant group the merchant is not in.
      const notMine = await redeem(t, w, v.voucher_number, {
        merchant: elsewhere,
        merchantGroup: merchantGroupOf(w.groupCode),
      });
      expect(notMine.status).toBe(463);
      expect(notMine.body).toMatchObject({ message: expect.stringMatching(/^Cannot credit merchant/) });
      const forbidden = await redeem(t, w, v.voucher_number, { merchant: elsewhere, override: true });
      expect(forbidden.status).toBe(403);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(3n * TEN);
      const ok = await redeem(t, w, v.voucher_number, {
        merchant: elsewhere,
        override: true,
        caller: 'operator',
      });
      expect(ok.status).toBe(200);
      expect(ok.body.result_status).toBe('Redeemed');
      expect(fsp.executions().get(ok.body.transaction_id)).toBe(1);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(2n * TEN);
    });

    it('provisioning is refused when the program cannot pay, and replays with the same Idempotency-Key', async () => {
      const w = await world({ stock: 0, funding: '100.00' });
      const tooMuch = await provision(t, w, 11);
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body).toMatchObject({ error: { code: 'LEDGER_EXCEEDS_CREDITS' } });
      expect(await netCredit(t, w.liabilityAccountId)).toBe(0n);
      const key = `prov-${id12()}`;
      const first = await provision(t, w, 4, '10.00', key);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        count: 4,
        total: '40.00',
        firstSerial: expect.any(String),
        lastSerial: expect.any(String),
      });
      const again = await provision(t, w, 4, '10.00', key);
      expect(again.body.provisionId).toBe(first.body.provisionId);
      expect((await provision(t, w, 5, '10.00', key)).status).toBe(409);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(4n * TEN);
      expect(await netCredit(t, w.fundingAccountId)).toBe(10_000n - 4n * TEN);
      const stock = await t.http().get(`/voucher-groups/${w.groupCode}/stock`).set(as(w.operator));
      expect(stock.status).toBe(200);
      expect(stock.body.available).toEqual([expect.objectContaining({ amount: '10.00', count: 4 })]);
    });

    it('a pre-activation repeated with the same Idempotency-Key gets the same voucher', async () => {
      const w = await world({ stock: 3 });
      const key = `pre-${id12()}`;
      const a = await preactivateRaw(t, w).set('Idempotency-Key', key);
      const b = await preactivateRaw(t, w).set('Idempotency-Key', key);
      expect(a.status).toBe(200);
      expect(b.body).toEqual(a.body);
      const [n] = (await t.ds.query(`SELECT count(*)::int AS n FROM vouchers WHERE holder_id = $1`, [
        w.source.id,
      ])) as { n: number }[];
      expect(n.n).toBe(1);
      expect(
        (await preactivateRaw(t, w, { voucher_amount: '10' }).set('Idempotency-Key', `${key}x`)).status,
      ).toBe(200);
    });

    it('a redemption repeated with the same Idempotency-Key gets the same answer; the FSP pays once', async () => {
      const w = await world({ stock: 1 });
      const v = await activeVoucher(t, w);
      const key = `red-${id12()}`;
      const first = await redeem(t, w, v.voucher_number, { idempotencyKey: key });
      expect(first.status).toBe(200);
      const again = await redeem(t, w, v.voucher_number, { idempotencyKey: key });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect((await redeem(t, w, v.voucher_number, { idempotencyKey: `${key}-other` })).status).toBe(458);
      expect(fsp.executions().get(first.body.transaction_id)).toBe(1);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(0n);
    });
  });

  describe('when the payer FSP does not answer in time', () => {
    it('answers 202 Pending and the status job finishes the redemption exactly once', async () => {
      const w = await world({ stock: 2, timeoutMs: 300 });
      const v = await activeVoucher(t, w);
      setTransferMode(fsp, 'no_answer');
      const res = await redeem(t, w, v.voucher_number);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        result_status: 'Pending',
        transaction_id: expect.any(String),
        voucher_serial_number: v.voucher_serial_number,
      });
      const txId = res.body.transaction_id as string;
      // Meanwhile the voucher is spoken for: no second redemption, no cancel.
      expect((await redeem(t, w, v.voucher_number)).status).toBe(458);
      expect((await cancel(t, w, v.voucher_serial_number)).status).toBe(463);
      expect(await netCredit(t, w.liabilityAccountId)).toBe(2n * TEN);
      setTransferMode(fsp, 'complete');
      const done = await eventually(
        async () => {
          const [r] = (await t.ds.query(`SELECT state FROM voucher_redemptions WHERE id = $1`, [txId])) as {
            state: string;
          }[];
          return ['completed', 'failed'].includes(r.state) ? r.state : undefined;
        },
        'the status job to resolve the redemption',
        30_000,
      );
      // The simulator paid without answering: asking it shows the payment, so the redemption completes.
      expect(done).toBe('completed');
      expect(fsp.executions().get(txId)).toBe(1);
      expect(await voucherRow(t, w, v.voucher_serial_number)).toMatchObject({ state: 'consumed' });
      expect(await netCredit(t, w.liabilityAccountId)).toBe(TEN);
      expect((await redeem(t, w, v.voucher_number)).status).toBe(458);
      expect(
        (await transfersOf(t, w.liabilityAccountId)).filter((m) => m.code === 'voucher.redeem'),
      ).toHaveLength(1);
    }, 60_000);

    it('a pending answer from the FSP is 202 and is finished by the status job once the FSP completes it', async () => {
      const w = await world({ stock: 1 });
      const v = await activeVoucher(t, w);
      setTransferMode(fsp, 'pending');
      const res = await redeem(t, w, v.voucher_number);
      expect(res.status).toBe(202);
      expect(res.body.result_status).toBe('Pending');
      const txId = res.body.transaction_id as string;
      setTransferMode(fsp, 'complete');
      await eventually(
        async () => {
          const [r] = (await t.ds.query(`SELECT state FROM voucher_redemptions WHERE id = $1`, [txId])) as {
            state: string;
          }[];
          return r.state === 'completed';
        },
        'the pending redemption to complete',
        30_000,
      );
      expect(await voucherRow(t, w, v.voucher_serial_number)).toMatchObject({ state: 'consumed' });
      expect(await netCredit(t, w.liabilityAccountId)).toBe(0n);
      expect(fsp.executions().get(txId)).toBe(1);
    }, 60_000);
  });

  describe('v3', () => {
    async function v3World(stock = 5): Promise<VoucherWorld> {
      const w = await world({ stock });
      await registerPartnerKey(t, w, w.source.code, partnerKeys.publicKey);
      return w;
    }

    function create(
      w: VoucherWorld,
      requestID: string,
      instructions: Record<string, unknown>[],
      path = '/v3-vouchers',
    ) {
      return t
        .http()
        .post('/vouchers')
        .set(as(w.source))
        .set('X-Callback-URL', `${sink.url}${path}`)
        .send({ requestID, batchID: `B-${requestID}`, voucherInstructions: instructions });
    }

    const instruction = (w: VoucherWorld, extra: Record<string, unknown> = {}) => ({
      instructionID: id12('I'),
      groupCode: w.groupCode,
      currency: 'TZS',
      amount: '10.00',
      payeeFunctionalID: functionalId(),
      narration: 'Food support',
      ...extra,
    });

    async function createdVouchers(requestID: string): Promise<V3Created[]> {
      const cb = await sink.waitFor((c) => (c.body as { requestID?: string })?.requestID === requestID);
      return (cb.body as { voucherInstructions: V3Created[] }).voucherInstructions;
    }

    it('creates vouchers, sends their numbers encrypted to the callback, activates and redeems with them', async () => {
      const w = await v3World();
      const requestID = id12('R');
      const ins = [instruction(w), instruction(w), instruction(w, { amount: '12.00' })];
      const res = await create(w, requestID, ins);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ResponseCode: '00', RequestID: requestID, numberFailedCases: 1 });
      expect(res.body.failedCases).toEqual([
        { instructionID: ins[2].instructionID, failureReason: expect.stringMatching(/^Invalid amount/) },
      ]);
      const cb = await sink.waitFor((c) => (c.body as { requestID?: string })?.requestID === requestID);
      const created = (cb.body as { voucherInstructions: V3Created[] }).voucherInstructions;
      expect(created.map((c) => c.instructionID)).toEqual([ins[0].instructionID, ins[1].instructionID]);
      const numbers = created.map((c) => openJwe(c.voucherNumber, partnerKeys.privateKey));
      for (const n of numbers) {
        expect(n).toMatch(/^[0-9]{16,25}$/);
        expect(cb.rawBody).not.toContain(n);
      }
      expect(created[0]).toMatchObject({
        serialNumber: expect.stringMatching(/^[0-9]{16}$/),
        currency: 'TZS',
        amount: '10.00',
      });

      const st = await t.http().get(`/vouchers/${created[0].serialNumber}`).set(as(w.source));
      expect(st.status).toBe(200);
      expect(st.body).toMatchObject({
        status: 2,
        state: 'preactivated',
        serialNumber: created[0].serialNumber,
        value: '10.00',
      });

      const act = await t
        .http()
        .put('/vouchers?command=activate')
        .set(as(w.source))
        .send({
          RequestID: id12('A'),
          BatchID: id12('B'),
          VoucherInstructions: created.map((c) => ({ serialNumber: c.serialNumber })),
        });
      expect(act.status).toBe(200);
      expect(act.body).toMatchObject({ ResponseCode: '00', numberFailedCases: 0 });
      expect(
        (await t.http().get(`/vouchers/${created[0].serialNumber}`).set(as(w.source))).body,
      ).toMatchObject({ status: 3, state: 'activated' });

      const redeemBody = {
        requestID: id12('X'),
        voucherSerialNumber: created[0].serialNumber,
        agentID: w.merchant.code,
        voucherSecretNumber: numbers[0],
      };
      const red = await t.http().post('/vouchers?command=redeem').set(as(w.source)).send(redeemBody);
      expect(red.status).toBe(200);
      expect(red.body).toMatchObject({
        status: 1,
        message: 'Redeemed',
        serialNumber: created[0].serialNumber,
        value: '10.00',
        transactionId: expect.any(String),
      });
      expect(fsp.executions().get(red.body.transactionId)).toBe(1);
      // The same requestID again: the same answer, not a second payment.
      const replay = await t.http().post('/vouchers?command=redeem').set(as(w.source)).send(redeemBody);
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({ status: 1, transactionId: red.body.transactionId });
      const used = await t
        .http()
        .post('/vouchers?command=redeem')
        .set(as(w.source))
        .send({ ...redeemBody, requestID: id12('Y') });
      expect(used.status).toBe(458);
      expect(used.body).toMatchObject({ status: 0 });
      expect(fsp.executions().get(red.body.transactionId)).toBe(1);
      expect(
        (await t.http().get(`/vouchers/${created[0].serialNumber}`).set(as(w.source))).body,
      ).toMatchObject({ status: 7, state: 'consumed' });
      expect(await netCredit(t, w.liabilityAccountId)).toBe(4n * TEN);

      const unknown = await t.http().get('/vouchers/8999999999999995').set(as(w.source));
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ status: 9, serialNumber: '8999999999999995', value: 0 });
    });

    it('refuses to create without a callback URL or a registered key', async () => {
      const w = await world();
      const noKey = await create(w, id12('R'), [instruction(w)]);
      expect(noKey.status).toBe(400);
      await registerPartnerKey(t, w, w.source.code, partnerKeys.publicKey);
      const noUrl = await t
        .http()
        .post('/vouchers')
        .set(as(w.source))
        .send({ requestID: id12('R'), voucherInstructions: [instruction(w)] });
      expect(noUrl.status).toBe(400);
    });

    it('activates from an encrypted file and answers with an encrypted file', async () => {
      const w = await v3World();
      const requestID = id12('R');
      expect((await create(w, requestID, [instruction(w), instruction(w)])).status).toBe(200);
      const created = await createdVouchers(requestID);
      const key = await serverKey(t, w);
      const file = {
        RequestID: id12('A'),
        BatchID: id12('B'),
        VoucherInstructions: [
          ...created.map((c) => ({ serialNumber: c.serialNumber })),
          { serialNumber: '8999999999999994' },
        ],
      };
      const res = await t
        .http()
        .put('/vouchers?command=activate')
        .set(as(w.source))
        .set('Content-Type', 'application/jose')
        .buffer(true)
        .parse(asText)
        .send(sealJwe(file, key));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/jose/);
      const answer = JSON.parse(openJwe(res.body as string, partnerKeys.privateKey));
      expect(answer).toMatchObject({
        ResponseCode: '00',
        RequestID: file.RequestID,
        numberFailedCases: 1,
        failedCases: [{ serialNumber: '8999999999999994', failureReason: 'Invalid voucher serial number' }],
      });
      for (const c of created) expect((await voucherRow(t, w, c.serialNumber)).state).toBe('activated');
      // A file not encrypted to the server key is refused.
      const wrong = await t
        .http()
        .put('/vouchers?command=activate')
        .set(as(w.source))
        .set('Content-Type', 'application/jose')
        .send(sealJwe(file, partnerKeys.publicKey));
      expect(wrong.status).toBe(400);
    });

    it('replays a repeated requestID with the same body (no second voucher or callback) and refuses another body with 409', async () => {
      const w = await v3World(5);
      const requestID = id12('R');
      const ins = [instruction(w)];
      const first = await create(w, requestID, ins);
      expect(first.status).toBe(200);
      const [created] = await createdVouchers(requestID);
      const again = await create(w, requestID, ins);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ ResponseCode: '00', RequestID: requestID, numberFailedCases: 0 });
      expect(again.body.ResponseDescription).toMatch(/^Already received/);
      const other = await create(w, requestID, [instruction(w)]);
      expect(other.status).toBe(409);
      await new Promise((r) => setTimeout(r, 500));
      expect(
        sink.received.filter((c) => (c.body as { requestID?: string })?.requestID === requestID),
      ).toHaveLength(1);
      const [n] = (await t.ds.query(`SELECT count(*)::int AS n FROM vouchers WHERE holder_id = $1`, [
        w.source.id,
      ])) as { n: number }[];
      expect(n.n).toBe(1);

      // Cancel, repeated: the value goes back once.
      const funding = await netCredit(t, w.fundingAccountId);
      const body = { requestID: id12('C'), voucherInstructions: [{ serialNumber: created.serialNumber }] };
      const c1 = await t.http().post('/vouchers?command=cancel').set(as(w.source)).send(body);
      expect(c1.status).toBe(200);
      expect(c1.body).toMatchObject({ ResponseCode: '00', numberFailedCases: 0 });
      const c2 = await t.http().post('/vouchers?command=cancel').set(as(w.source)).send(body);
      expect(c2.status).toBe(200);
      expect(c2.body.ResponseDescription).toMatch(/^Already received/);
      const c3 = await t
        .http()
        .post('/vouchers?command=cancel')
        .set(as(w.source))
        .send({ ...body, voucherInstructions: [{ serialNumber: '8999999999999993' }] });
      expect(c3.status).toBe(409);
      expect(await netCredit(t, w.fundingAccountId)).toBe(funding + TEN);
      expect((await t.http().get(`/vouchers/${created.serialNumber}`).set(as(w.source))).body).toMatchObject({
        status: 8,
        state: 'cancelled',
      });
    });
  });

  describe('logs', () => {
    function freePort(): Promise<number> {
      return new Promise((resolve) => {
        const srv = createServer().listen(0, '127.0.0.1', () => {
          const { port } = srv.address() as { port: number };
          srv.close(() => resolve(port));
        });
      });
    }

    it('never carry a voucher number, at LOG_LEVEL debug, through every voucher call', async () => {
      const port = await freePort();
      const child: ChildProcess = spawnTs('apps/payments-bb/src/main.ts', [], {
        ...TEST_ENV,
        ...VOUCHER_ENV,
        LOG_LEVEL: 'debug',
        PORT: String(port),
        QUEUE_PREFIX: uniqueQueuePrefix(),
      });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const stop = () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.on('close', () => resolve());
          child.kill('SIGTERM');
        });
      try {
        await waitForOutput(() => out, /Payments BB started/, 90_000);
        const base = `http://127.0.0.1:${port}`;
        // Participants are written with the in-process app; every HTTP call goes to the logging server.
        const remote: TestApp = { ...t, http: () => request(base) };
        const numbers: string[] = [];
        const w = await createVoucherWorld(remote, fsp, { callbackBase: sink.url, stock: 6 });
        await registerPartnerKey(remote, w, w.source.code, partnerKeys.publicKey);

        // v1: pre-activate, activate, status, redeem, repeat, wrong merchant, cancel.
        const a = await activeVoucher(remote, w);
        const b = await activeVoucher(remote, w);
        const c = await preactivate(remote, w);
        numbers.push(a.voucher_number, b.voucher_number, c.voucher_number);
        expect((await statusCheck(remote, w, a.voucher_serial_number)).status).toBe(200);
        expect((await redeem(remote, w, a.voucher_number)).status).toBe(200);
        expect((await redeem(remote, w, a.voucher_number)).status).toBe(458);
        expect((await redeem(remote, w, Number(a.voucher_number))).status).toBe(458);
        const closed = await putMerchant(remote, w, { merchantGroups: [merchantGroupOf(w.groupCode)] });
        fsp.setAccount(closed.financialAddress, { status: 'closed' });
        expect((await redeem(remote, w, b.voucher_number, { merchant: closed })).status).toBe(463);
        setTransferMode(fsp, 'insufficient_funds');
        expect((await redeem(remote, w, b.voucher_number)).status).toBe(462);
        setTransferMode(fsp, 'complete');
        expect((await redeem(remote, w, c.voucher_number)).status).toBe(461);
        expect((await cancel(remote, w, c.voucher_serial_number)).status).toBe(200);
        expect((await redeem(remote, w, c.voucher_number)).status).toBe(464);
        // A wrong number is not logged either (a mistyped number is nearly a right one).
        const guess = generateVoucherNumber();
        numbers.push(guess);
        expect((await redeem(remote, w, guess)).status).toBe(461);

        // v3: create (numbers to the callback), activate from an encrypted file, redeem.
        const requestID = id12('R');
        const created = await remote
          .http()
          .post('/vouchers')
          .set(as(w.source))
          .set('X-Callback-URL', `${sink.url}/log-test`)
          .send({
            requestID,
            voucherInstructions: [0, 1].map(() => ({
              instructionID: id12('I'),
              groupCode: w.groupCode,
              currency: 'TZS',
              amount: '10.00',
            })),
          });
        expect(created.status).toBe(200);
        const cb = await sink.waitFor((x) => (x.body as { requestID?: string })?.requestID === requestID);
        const vs = (cb.body as { voucherInstructions: V3Created[] }).voucherInstructions;
        const v3numbers = vs.map((v) => openJwe(v.voucherNumber, partnerKeys.privateKey));
        numbers.push(...v3numbers);
        const key = await serverKey(remote, w);
        const act = await remote
          .http()
          .put('/vouchers?command=activate')
          .set(as(w.source))
          .set('Content-Type', 'application/jose')
          .buffer(true)
          .parse(asText)
          .send(
            sealJwe(
              {
                RequestID: id12('A'),
                VoucherInstructions: vs.map((v) => ({ serialNumber: v.serialNumber })),
              },
              key,
            ),
          );
        expect(act.status).toBe(200);
        const red = await remote
          .http()
          .post('/vouchers?command=redeem')
          .set(as(w.source))
          .send({
            requestID: id12('X'),
            voucherSerialNumber: vs[0].serialNumber,
            agentID: w.merchant.code,
            voucherSecretNumber: v3numbers[0],
          });
        expect(red.body).toMatchObject({ status: 1 });
        const wrongSerial = await remote
          .http()
          .post('/vouchers?command=redeem')
          .set(as(w.source))
          .send({
            requestID: id12('X'),
            voucherSerialNumber: vs[0].serialNumber,
            agentID: w.merchant.code,
            voucherSecretNumber: v3numbers[1],
          });
        expect(wrongSerial.status).toBe(461);

        await new Promise((r) => setTimeout(r, 500));
        expect(out).toMatch(/voucher_redeemption/);
        for (const n of numbers) {
          expect(n).toMatch(/^[0-9]{16,25}$/);
          expect(out).not.toContain(n);
          // Nor split or spaced, as a formatter might print it.
          expect(out.replace(/[\s,"-]/g, '')).not.toContain(n);
        }
      } finally {
        await stop();
      }
    }, 180_000);
  });
});
