import { CallbackReceiver, startCallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { as } from './support/bulk-fixtures';
import {
  consumerCode,
  createDemand,
  createDigitWorld,
  DigitWorld,
  fetchBill,
  ri,
} from './support/digit-fixtures';
import { createParticipant, createTenant, TestParticipant } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('DIGIT: ID formats, payment events, remittances and bank-account mappings', () => {
  let t: TestApp;
  let w: DigitWorld;
  let sink: CallbackReceiver;
  let operator: TestParticipant;
  let platformTenant: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createDigitWorld(t);
    sink = await startCallbackReceiver({ port: 0 });
    platformTenant = await createTenant(t.ds);
    operator = await createParticipant(t, { tenantId: platformTenant, kind: 'operator' });
  });

  afterAll(async () => {
    await sink?.close();
    await t?.close();
  });

  const payCash = async (service: string, billId: string, amount: number) =>
    t
      .http()
      .post('/collection-services/payments/_create')
      .send({
        ...ri(w.employeeToken),
        Payment: {
          tenantId: w.city,
          totalAmountPaid: amount,
          paymentMode: 'CASH',
          paidBy: 'Ravi Kumar',
          paymentDetails: [{ businessService: service, billId, totalAmountPaid: amount }],
        },
      });

  it('a service-based receipt format applies to that service; the operator API checks formats', async () => {
    const bad = await t
      .http()
      .put(`/digit/id-formats/${w.state}`)
      .set(as(operator))
      .send({ formats: [{ idName: 'ws.receipt.id', format: 'WS/[nonsense]' }] });
    expect(bad.status).toBe(400);
    const ok = await t
      .http()
      .put(`/digit/id-formats/${w.state}`)
      .set(as(operator))
      .send({
        formats: [
          { idName: 'ws.receipt.id', format: 'WS/[CITY.CODE]/[fy:yyyy-yy]/[SEQ_WS_RCPT_[TENANT_ID]]' },
        ],
      });
    expect(ok.status).toBe(200);
    const code = consumerCode('WS');
    await createDemand(t, w, 'WS', code, [['WS_CHARGE', 100]]);
    const bill = (await fetchBill(t, w, 'WS', code)).body.Bill[0];
    const paid = await payCash('WS', bill.id, 100);
    expect(paid.status).toBe(200);
    expect(paid.body.Payments[0].paymentDetails[0].receiptNumber).toMatch(
      /^WS\/AMRITSAR\/\d{4}-\d{2}\/000001$/,
    );
  });

  it('subscribers get payment events through the callbacks library, create and cancel', async () => {
    const listener = await createParticipant(t, {
      tenantId: platformTenant,
      kind: 'source_bb',
      callbackBases: [sink.url],
    });
    const sub = await t
      .http()
      .post('/digit/subscriptions')
      .set(as(operator))
      .send({
        tenantId: w.state,
        participantCode: listener.code,
        url: `${sink.url}/digit-events`,
        events: ['digit.payment.create', 'digit.payment.cancel'],
      });
    expect(sub.status).toBe(201);
    const code = consumerCode('PT');
    await createDemand(t, w, 'PT', code, [['PT_TAX', 300]]);
    const bill = (await fetchBill(t, w, 'PT', code)).body.Bill[0];
    const paid = await payCash('PT', bill.id, 300);
    expect(paid.status).toBe(200);
    const payment = paid.body.Payments[0];
    const created = await sink.waitFor(
      (c) => (c.body as { event?: string; Payment?: { id: string } }).Payment?.id === payment.id,
      10_000,
    );
    expect(created.body).toMatchObject({
      event: 'digit.payment.create',
      tenantId: w.city,
      Payment: { paymentStatus: 'NEW', totalAmountPaid: 300 },
    });
    const cancelled = await t
      .http()
      .post('/collection-services/payments/PT/_workflow')
      .send({
        ...ri(w.superToken),
        PaymentWorkflows: [
          { paymentId: payment.id, action: 'CANCEL', tenantId: w.city, reason: 'Wrong consumer' },
        ],
      });
    expect(cancelled.status).toBe(200);
    const event = await sink.waitFor(
      (c) => (c.body as { event?: string }).event === 'digit.payment.cancel',
      10_000,
    );
    expect(event.body).toMatchObject({ Payment: { id: payment.id, paymentStatus: 'CANCELLED' } });
    const [{ n }] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM callback_deliveries WHERE participant_id = $1`,
      [listener.id],
    )) as { n: number }[];
    expect(n).toBe(2);
  });

  it('remittances: created APPROVED against real receipts, searched, updated; a reference is used once', async () => {
    const code = consumerCode('WS');
    await createDemand(t, w, 'WS', code, [['WS_CHARGE', 250]]);
    const bill = (await fetchBill(t, w, 'WS', code)).body.Bill[0];
    const receipt = (await payCash('WS', bill.id, 250)).body.Payments[0].paymentDetails[0].receiptNumber;
    const remittance = (ref: string, receipts: string[]) => ({
      ...ri(w.superToken),
      Remittance: [
        {
          tenantId: w.city,
          referenceNumber: ref,
          referenceDate: Date.now(),
          remarks: 'Cash deposited',
          remittanceReceipts: receipts.map((r) => ({ receipt: r })),
          remittanceDetails: [{ chartOfAccount: '4502101', creditAmount: 250, debitAmount: 0 }],
          remittanceInstruments: [{ instrument: 'CASH-1', reconciled: false }],
        },
      ],
    });
    const created = await t
      .http()
      .post('/collection-services/remittances/_create')
      .send(remittance('REM-001', [receipt]));
    expect(created.status).toBe(200);
    expect(created.body.Remittance[0]).toMatchObject({
      referenceNumber: 'REM-001',
      status: 'APPROVED',
      remarks: 'Cash deposited',
    });
    const again = await t
      .http()
      .post('/collection-services/remittances/_create')
      .send(remittance('REM-001', [receipt]));
    expect(again.status).toBe(400);
    expect(again.body.Errors[0].code).toBe('DUPLICATE_REMITTANCE');
    const unknown = await t
      .http()
      .post('/collection-services/remittances/_create')
      .send(remittance('REM-002', ['NOPE/1']));
    expect(unknown.body.Errors[0].code).toBe('INVALID_RECEIPT_NUMBER');
    const byEmployee = await t
      .http()
      .post('/collection-services/remittances/_create')
      .send({ ...remittance('REM-003', [receipt]), RequestInfo: ri(w.employeeToken).RequestInfo });
    expect(byEmployee.status).toBe(403);
    const found = await t
      .http()
      .post(`/collection-services/remittances/_search?tenantId=${w.city}&referenceNumber=REM-001`)
      .send(ri(w.superToken));
    expect(found.body.Remittance).toHaveLength(1);
    const updated = await t
      .http()
      .post('/collection-services/remittances/_update')
      .send({
        ...ri(w.superToken),
        Remittance: [
          {
            id: found.body.Remittance[0].id,
            tenantId: w.city,
            status: 'CANCELLED',
            remarks: 'Entered twice',
          },
        ],
      });
    expect(updated.status).toBe(200);
    expect(updated.body.Remittance[0]).toMatchObject({ status: 'CANCELLED', remarks: 'Entered twice' });
  });

  it('bank-account mappings: a pair is refused twice (egcl_004) and found by search', async () => {
    const body = {
      ...ri(w.superToken),
      BankAccountServiceMapping: [
        {
          tenantId: w.city,
          businessDetails: 'WS',
          bankAccount: '000123456789',
          bank: 'SBI',
          bankBranch: 'Amritsar Main',
        },
      ],
    };
    expect(
      (await t.http().post('/collection-services/bankAccountServiceMapping/_create').send(body)).status,
    ).toBe(200);
    const dup = await t.http().post('/collection-services/bankAccountServiceMapping/_create').send(body);
    expect(dup.status).toBe(400);
    expect(dup.body.Errors[0].code).toBe('egcl_004');
    const found = await t
      .http()
      .post(`/collection-services/bankAccountServiceMapping/_search?tenantId=${w.city}&businessDetails=WS`)
      .send(ri(w.superToken));
    expect(found.body.BankAccountServiceMapping).toEqual([
      expect.objectContaining({
        businessDetails: 'WS',
        bankAccount: '000123456789',
        bank: 'SBI',
        bankBranch: 'Amritsar Main',
      }),
    ]);
  });

  it('a cancel takes a head spread over several demand details back from each, to zero', async () => {
    const code = consumerCode('WS');
    await createDemand(t, w, 'WS', code, [
      ['WS_CHARGE', 100],
      ['WS_CHARGE', 200],
    ]);
    const bill = (await fetchBill(t, w, 'WS', code)).body.Bill[0];
    expect(bill.totalAmount).toBe(300);
    const payment = (await payCash('WS', bill.id, 300)).body.Payments[0];
    const collected = async () =>
      (
        await t
          .http()
          .post(`/billing-service/demand/_search?tenantId=${w.city}&businessService=WS&consumerCode=${code}`)
          .send(ri(w.employeeToken))
      ).body.Demands[0].demandDetails.map((d: { taxAmount: number; collectionAmount: number }) => [
        d.taxAmount,
        d.collectionAmount,
      ]);
    expect(await collected()).toEqual([
      [100, 100],
      [200, 200],
    ]);
    const cancelled = await t
      .http()
      .post('/collection-services/payments/WS/_workflow')
      .send({
        ...ri(w.superToken),
        PaymentWorkflows: [{ paymentId: payment.id, action: 'CANCEL', tenantId: w.city }],
      });
    expect(cancelled.status).toBe(200);
    expect(await collected()).toEqual([
      [100, 0],
      [200, 0],
    ]);
    expect((await fetchBill(t, w, 'WS', code)).body.Bill[0].totalAmount).toBe(300);
  });
});
