import { startBillerSimulator, BillerSimulator } from '../apps/simulators/src/biller/biller';
import { startPayerFi, PayerFiSimulator } from '../apps/simulators/src/payer-fi/payer-fi';
import { as } from './support/bulk-fixtures';
import {
  billIdOf,
  createP2gWorld,
  dueIn,
  linkSimulators,
  listenUrl,
  P2gWorld,
  ref16,
  rid12,
} from './support/p2g-fixtures';
import { createTenant } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('P2G bill payments (e2e, through the biller and payer FI simulators)', () => {
  let t: TestApp;
  let biller: BillerSimulator;
  let fi: PayerFiSimulator;
  let w: P2gWorld;
  let pbbUrl: string;

  beforeAll(async () => {
    t = await createTestApp({
      P2G_ADVICE_BACKOFF_BASE_MS: '50',
      P2G_ADVICE_BACKOFF_MAX_MS: '200',
      P2G_SWEEP_INTERVAL_MS: '300',
    });
    pbbUrl = await listenUrl(t);
    biller = await startBillerSimulator();
    fi = await startPayerFi();
    w = await createP2gWorld(t, { billerUrl: biller.url, payerFiUrl: fi.url });
    linkSimulators(w, pbbUrl, biller, fi);
  });

  afterAll(async () => {
    await biller?.close();
    await fi?.close();
    await t?.close();
  });

  const inquire = (billId: string, requestId = rid12()) =>
    t
      .http()
      .get(`/bills/${billId}?fields=inquiry&requestId=${requestId}`)
      .set(as(w.payerFi))
      .set('X-PayerFI-Id', w.payerFi.code);

  const pay = (billId: string, inquiryId: string, ref = ref16(), extra: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/billTransferRequests')
      .set(as(w.payerFi))
      .send({
        requestId: rid12(),
        billInquiryRequestId: inquiryId,
        billId,
        paymentReferenceID: ref,
        ...extra,
      });

  it('inquiry -> payment -> advice acknowledged by the biller -> payer FI told ACK; ledger posted', async () => {
    const billId = billIdOf(w);
    biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 150000, amountAfterDueDate: 155000 });
    const inq = await inquire(billId);
    expect(inq.status).toBe(202);
    expect(inq.body).toMatchObject({
      code: '00',
      billId,
      billDetails: [
        {
          billerId: w.billerId,
          billerName: 'CityWater',
          billStatus: 'UNPAID',
          amountonDueDate: 150000,
          currency: 'KES',
        },
      ],
    });
    const res = await pay(billId, inq.body.RequestID);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ responseCode: '00', billId, amount: 150000, currency: 'KES' });
    const advised = await biller.waitFor((s) =>
      s.advices.some((a) => a.billId === billId && a.outcome === 'ACK'),
    );
    expect(advised.bills.find((b) => b.billId === billId)?.status).toBe('PAID');
    const told = await fi.waitFor((s) =>
      s.notifications.some((n) => (n.body as { billId?: string }).billId === billId),
    );
    expect(
      told.notifications.find((n) => (n.body as { billId?: string }).billId === billId)?.body,
    ).toMatchObject({ status: 'ACK', receiptNumber: res.body.receiptNumber });
    const bal = await t.ds.query(
      `SELECT a.code, a.credits_posted::text AS c, a.debits_posted::text AS d FROM ledger_accounts a WHERE a.tenant_id = $1 AND a.code LIKE 'p2g:%' ORDER BY a.code`,
      [w.tenantId],
    );
    expect(bal).toEqual([
      { code: `p2g:biller:${w.billerId}:KES`, c: '150000', d: '0' },
      { code: `p2g:payerfi:${w.payerFi.code}:KES`, c: '0', d: '150000' },
    ]);
  });
});

describe('P2G under AUTH_MODE=none (behind an Information Mediator)', () => {
  let t: TestApp;
  let biller: BillerSimulator;

  beforeAll(async () => {
    t = await createTestApp({ AUTH_MODE: 'none', P2G_ONBOARDING_MAKER_CHECKER: 'false' });
    biller = await startBillerSimulator();
  });

  afterAll(async () => {
    await biller?.close();
    await t?.close();
  });

  it('the payer FI is the one X-PayerFI-Id names; without it the caller is no payer FI', async () => {
    const tenant = await createTenant(t.ds);
    const h = { 'Platform-TenantId': tenant };
    const onboarded = await t
      .http()
      .post('/p2g/billers')
      .set(h)
      .send({
        name: 'Sandbox Water',
        kind: 'biller',
        baseUrl: biller.url,
        currencies: ['KES'],
        settlementAccount: { bankCode: 'CBKEKENX', accountNumber: '1' },
        rules: { amountExactness: 'ANY' },
      });
    expect(onboarded.status).toBe(201);
    expect(onboarded.body.biller.status).toBe('active');
    const fi = await t
      .http()
      .post('/p2g/payer-fis')
      .set(h)
      .send({ code: 'SANDBANK', bic: 'SANDBANK', baseUrl: 'http://127.0.0.1:9' });
    expect(fi.status).toBe(201);
    const billId = `${onboarded.body.biller.prefix}SBX1`;
    biller.addBill({ billId, dueDate: dueIn(5), amountonDueDate: 700 });
    const named = await t.http().get(`/bills/${billId}`).set(h).set('X-PayerFI-Id', 'SANDBANK');
    expect(named.status).toBe(202);
    expect(named.body.billDetails[0]).toMatchObject({ amountonDueDate: 700, amountExactness: 'ANY' });
    const anonymous = await t.http().get(`/bills/${billId}`).set(h);
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toMatchObject({ responseCode: '16', errorCode: 'P2G_PAYER_FI_NOT_REGISTERED' });
  });
});
