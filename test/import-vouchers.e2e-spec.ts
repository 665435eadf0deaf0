import { resolve } from 'node:path';
import { PayerFspSimulator, startPayerFsp } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { as } from './support/bulk-fixtures';
import { runTs } from './support/spawn';
import { createTestApp, TestApp } from './support/test-app';
import { TEST_ENV } from './support/test-env';
import { createVoucherWorld, netCredit, setTransferMode, VoucherWorld } from './support/voucher-fixtures';

const IMPORT_CLI = 'apps/payments-bb/src/cli/import.ts';
const SANDBOX_SEED = resolve(__dirname, '../../shared/specs/govstack-payments-bb/sandbox-seed-data.json');

const EXPECTED_STATES = {
  provisioned: 3,
  preactivated: 8,
  activated: 17,
  blocked: 1,
  cancelled: 1,
  consumed: 1,
  purged: 1,
  expired: 1,
};

/** `npm run import -- FILE --tenant T --voucher-group G`: the sandbox seed's merchants and legacy vouchers. */
describe('Seed import of merchants and vouchers', () => {
  let t: TestApp;
  let fsp: PayerFspSimulator;
  let w: VoucherWorld;

  beforeAll(async () => {
    fsp = await startPayerFsp({ port: 0 });
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    setTransferMode(fsp, 'complete');
    w = await createVoucherWorld(t, fsp, { stock: 0, funding: '100000.00' });
  });
  afterAll(async () => {
    await t?.close();
    await fsp?.close();
  });

  const runImport = (group: string) =>
    runTs(IMPORT_CLI, [SANDBOX_SEED, '--tenant', w.tenantId, '--voucher-group', group], {
      ...TEST_ENV,
      LOG_LEVEL: 'silent',
    });
  const reportOf = (run: { code: number | null; stdout: string; stderr: string }) => {
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = run.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
  };

  it('loads the vouchers with their numbers, serials and states, funds the outstanding ones, and a re-run changes nothing', async () => {
    const funding0 = await netCredit(t, w.fundingAccountId);
    const first = reportOf(await runImport(w.groupCode));
    expect(first).toMatchObject({ tenantId: w.tenantId, merchants: 7, vouchers: 33 });
    expect((first.skipped as Record<string, number>)['vouchers (Not Existing)']).toBe(1);

    const states = (await t.ds.query(
      `SELECT state, count(*)::int AS n, sum(amount)::text AS total FROM vouchers WHERE tenant_id = $1 GROUP BY state ORDER BY state`,
      [w.tenantId],
    )) as { state: string; n: number; total: string }[];
    expect(states.reduce((a, s) => a + s.n, 0)).toBe(33);
    // The seed's status words, and its last three sections (canceled_vouchers, already_used, expired) by heading.
    expect(Object.fromEntries(states.map((s) => [s.state, s.n]))).toEqual(EXPECTED_STATES);
    // The value of the vouchers still owed moved from the program to the group's liability account.
    const outstanding = states
      .filter((s) => ['provisioned', 'preactivated', 'activated', 'suspended', 'blocked'].includes(s.state))
      .reduce((a, s) => a + BigInt(s.total), 0n);
    expect(BigInt(first.vouchersFunded as string)).toBe(outstanding);
    expect(await netCredit(t, w.liabilityAccountId)).toBe(outstanding);
    expect(await netCredit(t, w.fundingAccountId)).toBe(funding0 - outstanding);
    // The numbers are stored hashed and sealed, never in the clear (a purged voucher keeps neither).
    const [clear] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM vouchers WHERE tenant_id = $1 AND ((number_hash IS NULL AND state <> 'purged') OR position('170282' in encode(number_enc, 'escape')) > 0)`,
      [w.tenantId],
    )) as { n: number }[];
    expect(clear.n).toBe(0);

    const again = reportOf(await runImport(w.groupCode));
    expect(again).toMatchObject({ merchants: 0, merchantsUnchanged: 7, vouchers: 0, vouchersFunded: '0' });
    expect(await netCredit(t, w.liabilityAccountId)).toBe(outstanding);
  }, 180_000);

  it('an imported activated voucher is redeemed with its legacy number at an imported merchant', async () => {
    const [m] = (await t.ds.query(
      `SELECT code, merchant_groups FROM merchants WHERE tenant_id = $1 AND name = 'Melissa Stephenson'`,
      [w.tenantId],
    )) as { code: string; merchant_groups: string[] }[];
    expect(m.merchant_groups).toEqual(['Payment Voucher']);
    // Serial 123456, number 170282 in the seed, activated. The seed's merchant group is not the test group's,
    // so the operator overrides.
    const res = await t
      .http()
      .post('/vouchers/voucher_redeemption')
      .set(as(w.operator))
      .send({
        voucher_number: '170282',
        voucher_serial_number: 123456,
        merchant_name: 'Melissa Stephenson',
        merchant_bank_details: 'Citizen Service Banks',
        merchant_voucher_group: 'Payment Voucher',
        Gov_Stack_BB: w.source.code,
        override: true,
      });
    expect([res.status, res.body]).toEqual([200, expect.objectContaining({ result_status: 'Redeemed' })]);
  }, 60_000);
});
