import {
  createDemand,
  consumerCode,
  createDigitWorld,
  DigitWorld,
  fetchBill,
  ri,
} from './support/digit-fixtures';
import { startPayerFi } from '../apps/simulators/src/payer-fi/payer-fi';
import { AdviceService } from '../apps/payments-bb/src/p2g/advice/advice.service';
import { as } from './support/bulk-fixtures';
import { createParticipant, createTenant } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('DIGIT integrator flow (billing-collection integration guide), step by step', () => {
  let t: TestApp;
  let w: DigitWorld;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createDigitWorld(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('token -> fetch bill -> pay two bills in one call -> a receipt each -> search by receipt -> nothing due', async () => {
    const ws = consumerCode('WS');
    const pt = consumerCode('PT');
    await createDemand(t, w, 'WS', ws, [
      ['WS_CHARGE', 500],
      ['WS_TIME_PENALTY', 25.5],
    ]);
    await createDemand(t, w, 'PT', pt, [
      ['PT_TAX', 1200],
      ['PT_REBATE', -120],
    ]);

    // 2. Fetch the bills (the integrator's token works for the city of its state).
    const wsBill = await fetchBill(t, w, 'WS', ws);
    expect(wsBill.status).toBe(201);
    expect(wsBill.body.ResponseInfo).toMatchObject({ status: 'SUCCESSFUL' });
    expect(wsBill.body.Bill).toHaveLength(1);
    expect(wsBill.body.Bill[0]).toMatchObject({
      status: 'ACTIVE',
      totalAmount: 525.5,
      consumerCode: ws,
      businessService: 'WS',
      partPaymentAllowed: false,
    });
    expect(wsBill.body.Bill[0].billNumber).toMatch(/^BILLNO-WS-\d{6}$/);
    const again = await fetchBill(t, w, 'WS', ws);
    expect(again.body.Bill[0].id).toBe(wsBill.body.Bill[0].id);
    const ptBill = (await fetchBill(t, w, 'PT', pt)).body.Bill[0];
    expect(ptBill.totalAmount).toBe(1080);

    // 3. One payment, two bills.
    const paid = await t
      .http()
      .post('/collection-services/payments/_create')
      .send({
        ...ri(w.employeeToken),
        Payment: {
          tenantId: w.city,
          totalDue: 1605.5,
          totalAmountPaid: 1605.5,
          paymentMode: 'CASH',
          paidBy: 'Asha Devi',
          mobileNumber: '9876543210',
          paymentDetails: [
            {
              businessService: 'WS',
              billId: wsBill.body.Bill[0].id,
              totalDue: 525.5,
              totalAmountPaid: 525.5,
            },
            { businessService: 'PT', billId: ptBill.id, totalDue: 1080, totalAmountPaid: 1080 },
          ],
        },
      });
    expect(paid.status).toBe(200);
    const payment = paid.body.Payments[0];
    expect(payment).toMatchObject({
      paymentStatus: 'NEW',
      instrumentStatus: 'APPROVED',
      totalAmountPaid: 1605.5,
    });
    expect(payment.transactionNumber).toMatch(/^amritsar\d{10}$/);
    const receipts = payment.paymentDetails.map((d: { receiptNumber: string }) => d.receiptNumber);
    expect(receipts).toHaveLength(2);
    expect(new Set(receipts).size).toBe(2);
    for (const r of receipts) expect(r).toMatch(/^\d{2}\/\d{4}-\d{2}\/\d{6}$/);

    // 4. Search by receipt number.
    const found = await t
      .http()
      .post(`/collection-services/payments/WS/_search?tenantId=${w.city}&receiptNumbers=${receipts[0]}`)
      .send(ri(w.employeeToken));
    expect(found.status).toBe(200);
    expect(found.body.Payments.map((p: { id: string }) => p.id)).toEqual([payment.id]);

    // The bills are paid and the next fetch has nothing due.
    const bills = await t
      .http()
      .post(
        `/billing-service/bill/v2/_search?tenantId=${w.city}&billId=${wsBill.body.Bill[0].id},${ptBill.id}`,
      )
      .send(ri(w.employeeToken));
    expect(bills.body.Bill.map((b: { status: string }) => b.status)).toEqual(['PAID', 'PAID']);
    expect((await fetchBill(t, w, 'WS', ws)).body.Bill).toEqual([]);
    expect((await fetchBill(t, w, 'PT', pt)).body.Bill).toEqual([]);
    const demands = await t
      .http()
      .post(`/billing-service/demand/_search?tenantId=${w.city}&businessService=WS&consumerCode=${ws}`)
      .send(ri(w.employeeToken));
    expect(demands.body.Demands[0]).toMatchObject({ isPaymentCompleted: true });
  });

  it('biller link: a DIGIT business service is an internal P2G biller; inquiry, payment and advice create the DIGIT receipt', async () => {
    const fi = await startPayerFi();
    try {
      const tenant = await createTenant(t.ds);
      const maker = await createParticipant(t, { tenantId: tenant, kind: 'operator' });
      const checker = await createParticipant(t, { tenantId: tenant, kind: 'operator' });
      const onboarded = await t
        .http()
        .post('/p2g/billers')
        .set(as(maker))
        .send({
          name: 'Amritsar water',
          kind: 'biller',
          digit: { tenantId: w.city, businessService: 'WS' },
          currencies: ['INR'],
          settlementAccount: { bankCode: 'SBIN0000001', accountNumber: '123' },
          rules: { amountExactness: 'EXACT' },
        });
      expect(onboarded.status).toBe(201);
      const { billerId, prefix } = onboarded.body.biller;
      expect((await t.http().post(`/p2g/billers/${billerId}/approve`).set(as(checker)).send({})).status).toBe(
        201,
      );
      const linked = await t
        .http()
        .post('/p2g/payer-fis')
        .set(as(maker))
        .send({ code: 'LINKBANK', bic: 'LINKBANK', baseUrl: fi.url });
      expect(linked.status).toBe(201);
      const bank = { 'X-API-Key': linked.body.credentials.apiKey, 'Platform-TenantId': tenant };

      const consumer = consumerCode('WS');
      await createDemand(t, w, 'WS', consumer, [
        ['WS_CHARGE', 500],
        ['WS_TIME_PENALTY', 25.5],
      ]);
      const billId = `${prefix}${consumer}`;
      // The BBPS face finds the bill by consumer code (or the payer's mobile number).
      const bbps = await t
        .http()
        .post('/bbps/bills/fetchBills')
        .set(bank)
        .set('X-Biller-Id', billerId)
        .send([{ identifierKey: 'mobileNumber', identifierValue: '9876543210' }]);
      expect(bbps.status).toBe(200);
      expect(bbps.body.data.customerBills.bills).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ partnerBillId: billId, billAmount: 52550, currency: 'INR' }),
        ]),
      );
      const inquiry = await t.http().get(`/bills/${billId}?requestId=LINKINQ00001`).set(bank);
      expect(inquiry.status).toBe(202);
      expect(inquiry.body.billDetails[0]).toMatchObject({
        billerId,
        amountonDueDate: 52550,
        currency: 'INR',
        billStatus: 'UNPAID',
      });
      const paid = await t.http().post('/billTransferRequests').set(bank).send({
        requestId: 'LINKPAY00001',
        billInquiryRequestId: 'LINKINQ00001',
        billId,
        paymentReferenceID: 'LINKREF000000001',
      });
      expect(paid.status).toBe(202);
      const told = await fi.waitFor((s) => s.notifications.length === 1, 15_000);
      expect(told.notifications[0].body).toMatchObject({ billId, status: 'ACK' });
      const receipts = await t
        .http()
        .post(`/collection-services/payments/WS/_search?tenantId=${w.city}&consumerCodes=${consumer}`)
        .send(ri(w.employeeToken));
      expect(receipts.body.Payments).toHaveLength(1);
      expect(receipts.body.Payments[0]).toMatchObject({
        paymentMode: 'ONLINE',
        transactionNumber: 'P2G-LINKREF000000001',
        totalAmountPaid: 525.5,
        paymentStatus: 'DEPOSITED',
      });
      expect((await fetchBill(t, w, 'WS', consumer)).body.Bill).toEqual([]);
      // An advice sent again (its first answer lost) finds the receipt: acknowledged, nothing paid twice.
      const [row] = (await t.ds.query(
        `UPDATE bill_payments SET advice_status = 'pending', status = 'recorded', advice_next_at = now() WHERE transaction_id = 'LINKREF000000001' RETURNING id`,
      )) as [{ id: string }[], number];
      await t.app.get(AdviceService).send(row[0].id);
      const [again] = (await t.ds.query(`SELECT advice_status, status FROM bill_payments WHERE id = $1`, [
        row[0].id,
      ])) as { advice_status: string; status: string }[];
      expect(again).toEqual({ advice_status: 'acknowledged', status: 'completed' });
      const [{ n }] = (await t.ds.query(
        `SELECT count(*)::int AS n FROM digit_payments WHERE transaction_number = 'P2G-LINKREF000000001'`,
      )) as { n: number }[];
      expect(n).toBe(1);
      const after = await t.http().get(`/bills/${billId}`).set(bank);
      expect(after.status).toBe(404);
      expect(after.body.errorCode).toBe('P2G_BILL_NOT_FOUND');
    } finally {
      await fi.close();
    }
  });
});
