import { PayerFspSimulator, startPayerFsp } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { createTestApp, TestApp } from './support/test-app';
import {
  activeVoucher,
  cancel,
  createVoucherWorld,
  netCredit,
  outstandingValue,
  redeem,
  setTransferMode,
  transfersOf,
  voucherRow,
} from './support/voucher-fixtures';

/** 10.00 TZS in minor units. */
const TEN = 1000n;

describe('Vouchers under concurrency', () => {
  let t: TestApp;
  let fsp: PayerFspSimulator;

  beforeAll(async () => {
    fsp = await startPayerFsp({ port: 0 });
    t = await createTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      VOUCHER_SWEEP_INTERVAL_MS: '1000',
    });
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    setTransferMode(fsp, 'complete');
  });

  afterAll(async () => {
    await t?.close();
    await fsp?.close();
  });

  it('50 parallel redemptions of one voucher: exactly one succeeds, 49 get 458, the FSP pays once, the ledger moves once', async () => {
    const w = await createVoucherWorld(t, fsp, { stock: 2 });
    const v = await activeVoucher(t, w);
    const before = await netCredit(t, w.liabilityAccountId);
    const answers = await Promise.all(Array.from({ length: 50 }, () => redeem(t, w, v.voucher_number)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 458)).toHaveLength(49);
    for (const a of answers.filter((x) => x.status === 458))
      expect(a.body).toMatchObject({ message: 'Voucher number already used' });
    const winner = answers.find((a) => a.status === 200)!;
    expect(winner.body).toMatchObject({
      result_status: 'Redeemed',
      voucher_serial_number: v.voucher_serial_number,
    });
    const txId = winner.body.transaction_id as string;
    expect(fsp.executions().get(txId)).toBe(1);
    const [paid] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM voucher_redemptions r JOIN vouchers v ON v.id = r.voucher_id WHERE v.tenant_id = $1 AND v.serial = $2 AND r.state = 'completed'`,
      [w.tenantId, v.voucher_serial_number],
    )) as { n: number }[];
    expect(paid.n).toBe(1);
    expect(await netCredit(t, w.liabilityAccountId)).toBe(before - TEN);
    expect(
      (await transfersOf(t, w.liabilityAccountId)).filter((m) => m.code === 'voucher.redeem'),
    ).toHaveLength(1);
    expect(await voucherRow(t, w, v.voucher_serial_number)).toMatchObject({ state: 'consumed' });
    expect(await netCredit(t, w.liabilityAccountId)).toBe(await outstandingValue(t, w));
  }, 60_000);

  it('cancel racing redeem on one voucher, 10 times: exactly one wins each time and the ledger stays consistent', async () => {
    const rounds = 10;
    const w = await createVoucherWorld(t, fsp, { stock: rounds + 2 });
    const funding0 = await netCredit(t, w.fundingAccountId);
    let redeemed = 0;
    let cancelled = 0;
    for (let i = 0; i < rounds; i++) {
      const v = await activeVoucher(t, w);
      // Alternate who starts first, so both orders are tried.
      const [r, c] =
        i % 2 === 0
          ? await Promise.all([redeem(t, w, v.voucher_number), cancel(t, w, v.voucher_serial_number)])
          : await Promise.all([cancel(t, w, v.voucher_serial_number), redeem(t, w, v.voucher_number)]).then(
              ([x, y]) => [y, x],
            );
      const wins = [r.status === 200, c.status === 200].filter(Boolean).length;
      expect({ round: i, wins, redeem: r.status, cancel: c.status }).toMatchObject({ wins: 1 });
      const row = await voucherRow(t, w, v.voucher_serial_number);
      if (r.status === 200) {
        redeemed++;
        expect(row.state).toBe('consumed');
        expect(c.status).toBe(463);
        expect(fsp.executions().get(r.body.transaction_id)).toBe(1);
      } else {
        cancelled++;
        expect(row.state).toBe('cancelled');
        expect(r.status).toBe(464);
        expect(c.body).toEqual({ message: 'Cancelled' });
      }
      expect(await netCredit(t, w.liabilityAccountId)).toBe(await outstandingValue(t, w));
    }
    expect(redeemed + cancelled).toBe(rounds);
    // Every voucher's value went exactly one way: back to the program or out to a merchant.
    expect(await netCredit(t, w.fundingAccountId)).toBe(funding0 + BigInt(cancelled) * TEN);
    expect(await netCredit(t, w.liabilityAccountId)).toBe(BigInt(rounds + 2 - redeemed - cancelled) * TEN);
    const moves = await transfersOf(t, w.liabilityAccountId);
    expect(moves.filter((m) => m.code === 'voucher.redeem')).toHaveLength(redeemed);
    expect(moves.filter((m) => m.code === 'voucher.cancel')).toHaveLength(cancelled);
    const [states] = (await t.ds.query(
      `SELECT count(*) FILTER (WHERE state = 'redeeming')::int AS redeeming, count(*) FILTER (WHERE state = 'activated')::int AS activated
       FROM vouchers WHERE tenant_id = $1`,
      [w.tenantId],
    )) as { redeeming: number; activated: number }[];
    expect(states).toEqual({ redeeming: 0, activated: 0 });
  }, 120_000);

  it('30 different vouchers redeemed at once are committed together and each is booked exactly once', async () => {
    const n = 30;
    const w = await createVoucherWorld(t, fsp, { stock: n });
    const vouchers = [];
    for (let i = 0; i < n; i++) vouchers.push(await activeVoucher(t, w));
    const before = await netCredit(t, w.liabilityAccountId);
    const answers = await Promise.all(vouchers.map((v) => redeem(t, w, v.voucher_number)));
    expect(answers.map((a) => a.status)).toEqual(Array(n).fill(200));
    expect(await netCredit(t, w.liabilityAccountId)).toBe(before - BigInt(n) * TEN);
    const legs = (await t.ds.query(
      `SELECT reference_id, count(*) FILTER (WHERE code = 'voucher.redeem')::int AS redeem,
              count(*) FILTER (WHERE code = 'voucher.merchant_paid')::int AS paid
       FROM ledger_transfers WHERE tenant_id = $1 AND reference_type = 'voucher_redemption' GROUP BY reference_id`,
      [w.tenantId],
    )) as { reference_id: string; redeem: number; paid: number }[];
    expect(legs).toHaveLength(n);
    expect(legs.every((l) => l.redeem === 1 && l.paid === 1)).toBe(true);
    expect(new Set(legs.map((l) => l.reference_id))).toEqual(new Set(answers.map((a) => a.body.transaction_id)));
    for (const a of answers) expect(fsp.executions().get(a.body.transaction_id)).toBe(1);
    const [consumed] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM vouchers WHERE tenant_id = $1 AND state = 'consumed'`,
      [w.tenantId],
    )) as { n: number }[];
    expect(consumed.n).toBe(n);
    // Every ledger leg of a redemption has its audit row, naming the caller who redeemed.
    const [audited] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM audit_log a JOIN ledger_transfers lt ON lt.id::text = a.object_id
       WHERE lt.tenant_id = $1 AND lt.reference_type = 'voucher_redemption' AND a.actor_kind <> 'system'`,
      [w.tenantId],
    )) as { n: number }[];
    expect(audited.n).toBe(2 * n);
  }, 60_000);
});
