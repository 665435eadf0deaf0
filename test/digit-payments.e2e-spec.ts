import { randomBytes, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import {
  BASIC,
  consumerCode,
  createDemand,
  createDigitWorld,
  DigitWorld,
  fetchBill,
  ri,
} from './support/digit-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/**
 * collection-services payments against the rules of shared/specs/digit/RULES.md sections 2 and 3 (and what the
 * server fixes of DIGIT): auth, request rules, bill rules, apportionment, receipt numbers, concurrency, workflow
 * and search. Every test pays bills of its own consumers, so tests never depend on each other's data.
 */

const DAY = 86_400_000;
const PAYMENTS = '/collection-services/payments';

interface BillView {
  id: string;
  billNumber: string;
  status: string;
  totalAmount: number;
  amountPaid: number;
  businessService: string;
  consumerCode: string;
  billDetails: { billAccountDetails: { taxHeadCode: string; adjustedAmount: number }[] }[];
}

interface PaymentView {
  id: string;
  tenantId: string;
  paymentMode: string;
  paymentStatus: string;
  instrumentStatus: string;
  transactionNumber: string;
  transactionDate: number;
  instrumentDate: number | null;
  totalAmountPaid: number;
  payerId: string | null;
  paymentDetails: {
    billId: string;
    receiptNumber: string;
    consumerCode: string;
    totalAmountPaid: number;
    apportionment: { taxHeadCode: string; adjustedAmount: number }[];
  }[];
}

interface DemandView {
  id: string;
  isPaymentCompleted: boolean;
  demandDetails: { taxHeadMasterCode: string; taxAmount: number; collectionAmount: number }[];
}

interface Line {
  bill: BillView;
  paid?: number;
  totalDue?: number;
  businessService?: string;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const txn = () => `PG-${randomBytes(6).toString('hex')}`;
const codesOf = (res: Response): string[] => (res.body.Errors ?? []).map((e: { code: string }) => e.code);

/** A DIGIT error: the status, exactly these codes (in any order) and the envelope ErrorRes. */
function expectErrors(res: Response, status: number, codes: string[]) {
  expect({ status: res.status, codes: codesOf(res).sort() }).toEqual({ status, codes: [...codes].sort() });
  expect(res.body.ResponseInfo).toMatchObject({ status: 'FAILED' });
  for (const e of res.body.Errors)
    expect(e).toEqual({
      code: expect.any(String),
      message: expect.any(String),
      description: expect.any(String),
      params: null,
    });
}

/** The `Payment` of a _create body: each line pays its bill in full unless `paid` says otherwise. */
function payment<E extends Record<string, unknown>>(w: DigitWorld, lines: Line[], extra?: E) {
  const details = lines.map((l) => ({
    businessService: l.businessService ?? l.bill.businessService,
    billId: l.bill.id,
    totalDue: l.totalDue ?? l.bill.totalAmount,
    totalAmountPaid: l.paid ?? l.bill.totalAmount,
  }));
  return {
    tenantId: w.city,
    totalAmountPaid: round2(details.reduce((s, d) => s + d.totalAmountPaid, 0)),
    paymentMode: 'CASH',
    paidBy: 'Asha Devi',
    mobileNumber: '9876543210',
    paymentDetails: details,
    ...(extra as E),
  };
}

const online = () => ({ paymentMode: 'ONLINE', transactionNumber: txn(), instrumentNumber: 'PG-REF-1' });
const cheque = (instrumentDate = Date.now() - 5 * DAY) => ({
  paymentMode: 'CHEQUE',
  instrumentNumber: '004512',
  instrumentDate,
});

describe('DIGIT collection-services payments: rules, workflow and search', () => {
  let t: TestApp;
  let w: DigitWorld;

  const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) =>
    t.ds.query(q, params) as Promise<T[]>;

  const pay = (body: unknown, token = w.employeeToken, path = '_create') =>
    t
      .http()
      .post(`${PAYMENTS}/${path}`)
      .send({ ...ri(token), Payment: body });

  /** A consumer with one demand of the service, and its fetched bill. */
  async function billFor(
    world: DigitWorld,
    service: string,
    details: [string, number][],
    extra: Record<string, unknown> = {},
  ): Promise<{ code: string; bill: BillView }> {
    const code = consumerCode(service);
    await createDemand(t, world, service, code, details, extra);
    const res = await fetchBill(t, world, service, code);
    expect(res.status).toBe(201);
    expect(res.body.Bill).toHaveLength(1);
    return { code, bill: res.body.Bill[0] };
  }
  const wsBill = (world = w) =>
    billFor(world, 'WS', [
      ['WS_CHARGE', 500],
      ['WS_TIME_PENALTY', 25.5],
    ]);
  const ptBill = (world = w) =>
    billFor(world, 'PT', [
      ['PT_TAX', 1200],
      ['PT_REBATE', -120],
    ]);

  async function billById(world: DigitWorld, id: string): Promise<BillView> {
    const res = await t
      .http()
      .post(`/billing-service/bill/v2/_search?tenantId=${world.city}&billId=${id}`)
      .send(ri(world.employeeToken));
    expect(res.status).toBe(200);
    return res.body.Bill[0];
  }

  async function demandsOf(world: DigitWorld, service: string, code: string): Promise<DemandView[]> {
    const res = await t
      .http()
      .post(
        `/billing-service/demand/_search?tenantId=${world.city}&businessService=${service}&consumerCode=${code}`,
      )
      .send(ri(world.employeeToken));
    expect(res.status).toBe(200);
    return res.body.Demands;
  }

  /** head -> [taxAmount, collectionAmount] of one demand (heads are unique in these demands). */
  const collected = (d: DemandView) =>
    Object.fromEntries(d.demandDetails.map((x) => [x.taxHeadMasterCode, [x.taxAmount, x.collectionAmount]]));

  const workflow = (
    items: { paymentId: string; action: string; tenantId?: string }[],
    token = w.superToken,
    world = w,
  ) =>
    t
      .http()
      .post(`${PAYMENTS}/WS/_workflow`)
      .send({
        ...ri(token),
        PaymentWorkflows: items.map((i) => ({ tenantId: world.city, reason: 'Counter error', ...i })),
      });

  async function paidOk(res: Response): Promise<PaymentView> {
    expect({ status: res.status, errors: res.body.Errors }).toEqual({ status: 200, errors: undefined });
    expect(res.body.ResponseInfo).toMatchObject({ status: 'SUCCESSFUL' });
    return res.body.Payments[0];
  }

  beforeAll(async () => {
    t = await createTestApp();
    w = await createDigitWorld(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('1. auth and roles', () => {
    it('no token, or a token that is not one, is 401 InvalidAccessTokenException', async () => {
      const { code, bill } = await wsBill();
      const noToken = await t
        .http()
        .post(
          `/billing-service/bill/v2/_fetchbill?tenantId=${w.city}&businessService=WS&consumerCode=${code}`,
        )
        .send(ri());
      expectErrors(noToken, 401, ['InvalidAccessTokenException']);
      expectErrors(
        await t
          .http()
          .post(`${PAYMENTS}/_create`)
          .send({ ...ri(), Payment: payment(w, [{ bill }]) }),
        401,
        ['InvalidAccessTokenException'],
      );
      expectErrors(await pay(payment(w, [{ bill }]), 'not-a-token'), 401, ['InvalidAccessTokenException']);
      // The bill was not paid by any of these.
      expect((await billById(w, bill.id)).status).toBe('ACTIVE');
    });

    it('a token in the auth-token header works as well as RequestInfo.authToken', async () => {
      const { code, bill } = await wsBill();
      const fetched = await t
        .http()
        .post(
          `/billing-service/bill/v2/_fetchbill?tenantId=${w.city}&businessService=WS&consumerCode=${code}`,
        )
        .set('auth-token', w.employeeToken)
        .send(ri());
      expect(fetched.status).toBe(201);
      expect(fetched.body.Bill[0].id).toBe(bill.id);
      const paid = await t
        .http()
        .post(`${PAYMENTS}/_create`)
        .set('auth-token', w.employeeToken)
        .send({ ...ri(), Payment: payment(w, [{ bill }]) });
      const p = await paidOk(paid);
      expect(p.paymentDetails[0].billId).toBe(bill.id);
      expect((await billById(w, bill.id)).status).toBe('PAID');
    });

    it('a CITIZEN may not record a payment (403), nor run the workflow', async () => {
      const { bill } = await wsBill();
      expectErrors(await pay(payment(w, [{ bill }]), w.citizenToken), 403, ['AccessDeniedException']);
      expect((await billById(w, bill.id)).status).toBe('ACTIVE');
      const p = await paidOk(await pay(payment(w, [{ bill }])));
      expectErrors(await workflow([{ paymentId: p.id, action: 'CANCEL' }], w.citizenToken), 403, [
        'AccessDeniedException',
      ]);
    });

    it("a user of another state gets 403 on this state's city", async () => {
      const other = await createDigitWorld(t);
      const { code, bill } = await wsBill();
      expectErrors(await pay(payment(w, [{ bill }]), other.superToken), 403, ['AccessDeniedException']);
      expectErrors(await fetchBill(t, w, 'WS', code, other.employeeToken), 403, ['AccessDeniedException']);
      expect((await billById(w, bill.id)).status).toBe('ACTIVE');
    });

    it('a wrong password is 400 invalid_grant; a wrong Basic client is 401', async () => {
      const form = {
        grant_type: 'password',
        scope: 'read',
        username: 'admin',
        password: 'wrong password!',
        tenantId: w.city,
        userType: 'EMPLOYEE',
      };
      const wrong = await t
        .http()
        .post('/user/oauth/token')
        .set('Authorization', BASIC)
        .type('form')
        .send(form);
      expectErrors(wrong, 400, ['invalid_grant']);
      expect(wrong.body.access_token).toBeUndefined();
      const unknown = await t
        .http()
        .post('/user/oauth/token')
        .set('Authorization', BASIC)
        .type('form')
        .send({ ...form, username: 'nobody' });
      expectErrors(unknown, 400, ['invalid_grant']);
      const badClient = await t
        .http()
        .post('/user/oauth/token')
        .set('Authorization', `Basic ${Buffer.from('some-other-client:').toString('base64')}`)
        .type('form')
        .send({ ...form, password: 'correct horse battery' });
      expectErrors(badClient, 401, ['invalid_client']);
      expect(badClient.body.access_token).toBeUndefined();
      const good = await t
        .http()
        .post('/user/oauth/token')
        .set('Authorization', BASIC)
        .type('form')
        .send({ ...form, password: 'correct horse battery' });
      expect(good.status).toBe(200);
      expect(good.body.access_token).toEqual(expect.any(String));
    });

    it('answers carry ResponseInfo (so spelled), echoing apiId, ver and msgId', async () => {
      const { code, bill } = await wsBill();
      const fetched = await fetchBill(t, w, 'WS', code);
      const paid = await pay(payment(w, [{ bill }]));
      const search = await t
        .http()
        .post(`${PAYMENTS}/WS/_search?tenantId=${w.city}&consumerCodes=${code}`)
        .send({
          RequestInfo: { apiId: 'Rainmaker', ver: '.01', msgId: 'm-1|en_IN', authToken: w.employeeToken },
        });
      const failed = await pay(payment(w, [{ bill }]));
      for (const res of [fetched, paid, search, failed]) {
        expect(Object.keys(res.body)).toContain('ResponseInfo');
        expect(Object.keys(res.body)).not.toContain('ResposneInfo');
        expect(res.body.ResponseInfo).toEqual({
          apiId: 'Rainmaker',
          ver: '.01',
          ts: expect.any(Number),
          resMsgId: expect.any(String),
          msgId: expect.any(String),
          status: res === failed ? 'FAILED' : 'SUCCESSFUL',
        });
      }
      expect(search.body.ResponseInfo.msgId).toBe('m-1|en_IN');
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('2. request rules', () => {
    let open: BillView;
    beforeAll(async () => {
      open = (await wsBill()).bill;
    });

    it('INVALID_PAYMENTMODE for an unknown or missing mode', async () => {
      expectErrors(await pay(payment(w, [{ bill: open }], { paymentMode: 'BITCOIN' })), 400, [
        'INVALID_PAYMENTMODE',
      ]);
      expectErrors(await pay(payment(w, [{ bill: open }], { paymentMode: undefined })), 400, [
        'INVALID_PAYMENTMODE',
      ]);
    });

    it('INVALID_PAID_BY when paidBy is missing or malformed', async () => {
      expectErrors(await pay(payment(w, [{ bill: open }], { paidBy: undefined })), 400, ['INVALID_PAID_BY']);
      expectErrors(await pay(payment(w, [{ bill: open }], { paidBy: 'Asha1' })), 400, ['INVALID_PAID_BY']);
      expectErrors(await pay(payment(w, [{ bill: open }], { paidBy: '' })), 400, ['INVALID_PAID_BY']);
    });

    it('INVALID_MOBILE_NUMBER when mobileNumber is not 10 digits starting 6-9', async () => {
      expectErrors(await pay(payment(w, [{ bill: open }], { mobileNumber: '5876543210' })), 400, [
        'INVALID_MOBILE_NUMBER',
      ]);
      expectErrors(await pay(payment(w, [{ bill: open }], { mobileNumber: '98765' })), 400, [
        'INVALID_MOBILE_NUMBER',
      ]);
    });

    it('DUPLICATE_BILLID when one bill is in two details', async () => {
      expectErrors(await pay(payment(w, [{ bill: open }, { bill: open }])), 400, ['DUPLICATE_BILLID']);
    });

    it("INVALID_PAYMENT_AMOUNT when totalAmountPaid is not the sum of the details'", async () => {
      expectErrors(await pay(payment(w, [{ bill: open }], { totalAmountPaid: 600 })), 400, [
        'INVALID_PAYMENT_AMOUNT',
      ]);
    });

    it('CHEQUE needs instrumentDate (INVALID_INST_DATE) and instrumentNumber (INVALID_INST_NUMBER)', async () => {
      expectErrors(await pay(payment(w, [{ bill: open }], { ...cheque(), instrumentDate: undefined })), 400, [
        'INVALID_INST_DATE',
      ]);
      expectErrors(
        await pay(payment(w, [{ bill: open }], { ...cheque(), instrumentNumber: undefined })),
        400,
        ['INVALID_INST_NUMBER'],
      );
      expectErrors(
        await pay(
          payment(w, [{ bill: open }], {
            paymentMode: 'DD',
            instrumentDate: undefined,
            instrumentNumber: '',
          }),
        ),
        400,
        ['INVALID_INST_DATE', 'INVALID_INST_NUMBER'],
      );
    });

    it('CHEQUE dated more than 90 days ago or in the future (no manual receipt date)', async () => {
      expectErrors(await pay(payment(w, [{ bill: open }], cheque(Date.now() - 91 * DAY))), 400, [
        'CHEQUE_DD_DATE_WITH_RECEIPT_DATE',
      ]);
      expectErrors(await pay(payment(w, [{ bill: open }], cheque(Date.now() + 2 * DAY))), 400, [
        'CHEQUE_DD_DATE_WITH_FUTURE_DATE',
      ]);
    });

    it('CHEQUE with a manual receipt date (transactionDate): not after it, at most 90 days before it', async () => {
      const receiptDate = Date.now() - 10 * DAY;
      expectErrors(
        await pay(
          payment(w, [{ bill: open }], { ...cheque(receiptDate + DAY), transactionDate: receiptDate }),
        ),
        400,
        ['INVALID_CHEQUE_DD_DATE'],
      );
      expectErrors(
        await pay(
          payment(w, [{ bill: open }], { ...cheque(receiptDate - 91 * DAY), transactionDate: receiptDate }),
        ),
        400,
        ['CHEQUE_DD_DATE_WITH_MANUAL_RECEIPT_DATE'],
      );
    });

    it('a CHEQUE within 90 days is accepted: NEW / APPROVED', async () => {
      const { bill } = await wsBill();
      const dated = Date.now() - 89 * DAY;
      const p = await paidOk(await pay(payment(w, [{ bill }], cheque(dated))));
      expect(p).toMatchObject({
        paymentMode: 'CHEQUE',
        paymentStatus: 'NEW',
        instrumentStatus: 'APPROVED',
        instrumentDate: dated,
        totalAmountPaid: 525.5,
      });
      expect((await billById(w, bill.id)).status).toBe('PAID');
    });

    it('a CHEQUE 85 days before its manual receipt date is accepted, and the receipt date is kept', async () => {
      const { bill } = await wsBill();
      const receiptDate = Date.now() - 10 * DAY;
      const p = await paidOk(
        await pay(
          payment(w, [{ bill }], { ...cheque(receiptDate - 85 * DAY), transactionDate: receiptDate }),
        ),
      );
      expect(p).toMatchObject({
        paymentStatus: 'NEW',
        instrumentStatus: 'APPROVED',
        transactionDate: receiptDate,
      });
    });

    it('OFFLINE_NEFT dated in the future is INVALID_NEFT_RTGS_DATE; dated today it is accepted', async () => {
      const neft = { paymentMode: 'OFFLINE_NEFT', instrumentNumber: 'UTR0001' };
      expectErrors(
        await pay(payment(w, [{ bill: open }], { ...neft, instrumentDate: Date.now() + DAY })),
        400,
        ['INVALID_NEFT_RTGS_DATE'],
      );
      expectErrors(await pay(payment(w, [{ bill: open }], { ...neft })), 400, ['INVALID_INST_DATE']);
      const { bill } = await wsBill();
      const p = await paidOk(
        await pay(payment(w, [{ bill }], { ...neft, instrumentDate: Date.now() - 1000 })),
      );
      expect(p).toMatchObject({ paymentStatus: 'NEW', instrumentStatus: 'APPROVED' });
    });

    it('ONLINE needs transactionNumber (INVALID_TXN_NUMBER) and instrumentNumber (INVALID_INSTRUMENT_NUMBER)', async () => {
      expectErrors(
        await pay(payment(w, [{ bill: open }], { ...online(), transactionNumber: undefined })),
        400,
        ['INVALID_TXN_NUMBER'],
      );
      expectErrors(
        await pay(payment(w, [{ bill: open }], { ...online(), instrumentNumber: undefined })),
        400,
        ['INVALID_INSTRUMENT_NUMBER'],
      );
      expectErrors(await pay(payment(w, [{ bill: open }], { paymentMode: 'CARD' })), 400, [
        'INVALID_TXN_NUMBER',
        'INVALID_INSTRUMENT_NUMBER',
      ]);
    });

    it('a valid ONLINE payment is DEPOSITED / REMITTED at once, with its own transaction number', async () => {
      const { bill } = await wsBill();
      const body = payment(w, [{ bill }], online());
      const p = await paidOk(await pay(body));
      expect(p).toMatchObject({
        paymentMode: 'ONLINE',
        paymentStatus: 'DEPOSITED',
        instrumentStatus: 'REMITTED',
        transactionNumber: body.transactionNumber,
      });
    });

    it('amounts with three decimals are INVALID_AMOUNT (never rounded)', async () => {
      expectErrors(
        await pay(
          payment(w, [{ bill: open }], {
            totalAmountPaid: 525.505,
            paymentDetails: [
              { businessService: 'WS', billId: open.id, totalDue: 525.5, totalAmountPaid: 525.505 },
            ],
          }),
        ),
        400,
        ['INVALID_AMOUNT'],
      );
      expectErrors(
        await pay(
          payment(w, [{ bill: open }], {
            paymentDetails: [
              { businessService: 'WS', billId: open.id, totalDue: 525.5, totalAmountPaid: 525.555 },
            ],
          }),
        ),
        400,
        ['INVALID_AMOUNT'],
      );
    });

    it('several broken rules at once give several Errors', async () => {
      const res = await pay(
        payment(w, [{ bill: open }], {
          paymentMode: 'CHEQUE',
          paidBy: 'Asha1',
          mobileNumber: '123',
          totalAmountPaid: 1,
        }),
      );
      expectErrors(res, 400, [
        'INVALID_PAID_BY',
        'INVALID_MOBILE_NUMBER',
        'INVALID_INST_DATE',
        'INVALID_INST_NUMBER',
        'INVALID_PAYMENT_AMOUNT',
      ]);
    });

    it('none of the refused requests of this block paid the bill or left a payment', async () => {
      const b = await billById(w, open.id);
      expect({ status: b.status, amountPaid: b.amountPaid }).toEqual({ status: 'ACTIVE', amountPaid: 0 });
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM digit_payment_details WHERE bill_id = $1`,
        [open.id],
      );
      expect(n).toBe(0);
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('3. bill rules', () => {
    it('INVALID_BILL_ID for a bill that does not exist (or is of another tenant)', async () => {
      const { bill } = await wsBill();
      expectErrors(await pay(payment(w, [{ bill: { ...bill, id: randomUUID() } }])), 400, [
        'INVALID_BILL_ID',
      ]);
      expectErrors(await pay(payment(w, [{ bill: { ...bill, id: 'not-a-uuid' } }])), 400, [
        'INVALID_BILL_ID',
      ]);
      expect((await billById(w, bill.id)).status).toBe('ACTIVE');
    });

    it('INVALID_BILL_ID for a bill of another city (a city the server has not seen yet)', async () => {
      const { bill } = await wsBill();
      // A city of the caller's state that the server has not seen yet: no bill there, not a 500.
      expectErrors(await pay({ ...payment(w, [{ bill }]), tenantId: `${w.state}.jalandhar` }), 400, [
        'INVALID_BILL_ID',
      ]);
    });

    it("INVALID_BILL_BUSINESSSERVICE for a service that is not the bill's, or is not defined", async () => {
      const { bill } = await wsBill();
      expectErrors(await pay(payment(w, [{ bill, businessService: 'PT' }])), 400, [
        'INVALID_BILL_BUSINESSSERVICE',
      ]);
      expectErrors(await pay(payment(w, [{ bill, businessService: 'NOSUCH' }])), 400, [
        'INVALID_BILL_BUSINESSSERVICE',
      ]);
      expect((await billById(w, bill.id)).status).toBe('ACTIVE');
    });

    it('INVALID_PAYMENTDETAIL when totalDue is not what the bill says is due', async () => {
      const { bill } = await wsBill();
      expectErrors(await pay(payment(w, [{ bill, totalDue: 500 }])), 400, ['INVALID_PAYMENTDETAIL']);
      // The payment-level totalDue is checked too.
      expectErrors(await pay(payment(w, [{ bill }], { totalDue: 500 })), 400, ['INVALID_PAYMENT']);
      await paidOk(await pay(payment(w, [{ bill }], { totalDue: 525.5 })));
    });

    it('WS (no part payment): paying less than due is INVALID_PAYMENTDETAIL', async () => {
      const { bill } = await wsBill();
      expectErrors(await pay(payment(w, [{ bill, paid: 500 }])), 400, ['INVALID_PAYMENTDETAIL']);
      // Zero, and less than due: two failed rules.
      expectErrors(await pay(payment(w, [{ bill, paid: 0 }])), 400, [
        'INVALID_PAYMENTDETAIL',
        'INVALID_PAYMENTDETAIL',
      ]);
      const b = await billById(w, bill.id);
      expect({ status: b.status, amountPaid: b.amountPaid }).toEqual({ status: 'ACTIVE', amountPaid: 0 });
    });

    it('PT (part payment, minimum 100): 50 refused; 200 part-pays the bill; the rest pays it', async () => {
      const { code, bill } = await ptBill();
      expect(bill.totalAmount).toBe(1080);
      expectErrors(await pay(payment(w, [{ bill, paid: 50 }])), 400, ['INVALID_PAYMENTDETAIL']);

      const first = await paidOk(await pay(payment(w, [{ bill, paid: 200 }])));
      expect(first.totalAmountPaid).toBe(200);
      const after = await billById(w, bill.id);
      expect(after).toMatchObject({ status: 'PARTIALLY_PAID', amountPaid: 200, totalAmount: 880 });

      const again = await fetchBill(t, w, 'PT', code);
      expect(again.body.Bill).toHaveLength(1);
      expect(again.body.Bill[0]).toMatchObject({ id: bill.id, totalAmount: 880, status: 'PARTIALLY_PAID' });
      // totalDue is now what is left: the old figure is refused.
      expectErrors(await pay(payment(w, [{ bill: again.body.Bill[0], paid: 880, totalDue: 1080 }])), 400, [
        'INVALID_PAYMENTDETAIL',
      ]);
      // Below the minimum is still refused on the rest.
      expectErrors(await pay(payment(w, [{ bill: again.body.Bill[0], paid: 99 }])), 400, [
        'INVALID_PAYMENTDETAIL',
      ]);

      const rest = await paidOk(await pay(payment(w, [{ bill: again.body.Bill[0] }])));
      expect(rest.totalAmountPaid).toBe(880);
      expect(await billById(w, bill.id)).toMatchObject({ status: 'PAID', amountPaid: 1080, totalAmount: 0 });
      expect((await fetchBill(t, w, 'PT', code)).body.Bill).toEqual([]);
      const [demand] = await demandsOf(w, 'PT', code);
      expect(demand.isPaymentCompleted).toBe(true);
      expect(collected(demand)).toEqual({ PT_TAX: [1200, 1200], PT_REBATE: [-120, -120] });
    });

    it('WS (advance allowed): paying more than due records an advance on the demand', async () => {
      const { code, bill } = await wsBill();
      const p = await paidOk(await pay(payment(w, [{ bill, paid: 600 }])));
      expect(p.totalAmountPaid).toBe(600);
      expect(p.paymentDetails[0].apportionment).toEqual(
        expect.arrayContaining([
          { taxHeadCode: 'WS_TIME_PENALTY', adjustedAmount: 25.5 },
          { taxHeadCode: 'WS_CHARGE', adjustedAmount: 500 },
          expect.objectContaining({ adjustedAmount: -74.5 }),
        ]),
      );
      expect((await billById(w, bill.id)).status).toBe('PAID');
      const [demand] = await demandsOf(w, 'WS', code);
      expect(demand.demandDetails).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ taxHeadMasterCode: 'WS_ADVANCE_CARRYFORWARD', taxAmount: -74.5 }),
          expect.objectContaining({ taxHeadMasterCode: 'WS_CHARGE', taxAmount: 500, collectionAmount: 500 }),
          expect.objectContaining({
            taxHeadMasterCode: 'WS_TIME_PENALTY',
            taxAmount: 25.5,
            collectionAmount: 25.5,
          }),
        ]),
      );
      expect((await fetchBill(t, w, 'WS', code)).body.Bill).toEqual([]);
    });

    it("WS advance: the consumer's next demand's bill is reduced by the advance", async () => {
      const { code, bill } = await wsBill();
      await paidOk(await pay(payment(w, [{ bill, paid: 600 }])));
      await createDemand(t, w, 'WS', code, [['WS_CHARGE', 500]], {
        taxPeriodFrom: Date.parse('2027-04-01T00:00:00Z'),
        taxPeriodTo: Date.parse('2028-03-31T23:59:59Z'),
      });
      const next = await fetchBill(t, w, 'WS', code);
      expect(next.status).toBe(201);
      // The advance (a negative WS_ADVANCE_CARRYFORWARD detail) keeps its demand open: the next bill takes it off.
      expect(next.body.Bill.map((b: BillView) => b.totalAmount)).toEqual([425.5]);
    });

    it('PT (no advance): paying more than due is INVALID_PAYMENTDETAIL', async () => {
      const { bill } = await ptBill();
      expectErrors(await pay(payment(w, [{ bill, paid: 1100 }])), 400, ['INVALID_PAYMENTDETAIL']);
      expect((await billById(w, bill.id)).status).toBe('ACTIVE');
    });

    it('a mode in collectionModesNotAllowed (DD for WS) is INVALID_PAYMENTDETAIL; DD is fine for PT', async () => {
      const dd = { paymentMode: 'DD', instrumentNumber: 'DD-778', instrumentDate: Date.now() - DAY };
      const { bill } = await wsBill();
      expectErrors(await pay(payment(w, [{ bill }], dd)), 400, ['INVALID_PAYMENTDETAIL']);
      // Two broken rules of one bill: two errors.
      expectErrors(await pay(payment(w, [{ bill, paid: 100 }], dd)), 400, [
        'INVALID_PAYMENTDETAIL',
        'INVALID_PAYMENTDETAIL',
      ]);
      const pt = (await ptBill()).bill;
      const p = await paidOk(await pay(payment(w, [{ bill: pt }], dd)));
      expect(p).toMatchObject({ paymentMode: 'DD', paymentStatus: 'NEW', instrumentStatus: 'APPROVED' });
    });

    it('a bill cancelled by _cancelbill is INVALID_BILL_STATUS; _fetchbill then makes a new bill', async () => {
      const { code, bill } = await wsBill();
      const cancelled = await t
        .http()
        .post('/billing-service/bill/v2/_cancelbill')
        .send({
          ...ri(w.employeeToken),
          UpdateBillCriteria: {
            tenantId: w.city,
            consumerCodes: [code],
            businessService: 'WS',
            additionalDetails: { reason: 'Wrong meter reading' },
          },
        });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.Bill[0]).toMatchObject({ id: bill.id, status: 'CANCELLED' });
      expectErrors(await pay(payment(w, [{ bill }])), 400, ['INVALID_BILL_STATUS']);
      const fresh = (await fetchBill(t, w, 'WS', code)).body.Bill[0];
      expect(fresh.id).not.toBe(bill.id);
      expect(fresh).toMatchObject({ status: 'ACTIVE', totalAmount: 525.5 });
      await paidOk(await pay(payment(w, [{ bill: fresh }])));
    });

    it('an expired bill is BILL_EXPIRED, and _fetchbill then gives a new bill', async () => {
      const { code, bill } = await wsBill();
      await sql(`UPDATE digit_bills SET expiry_date = 1 WHERE id = $1`, [bill.id]);
      await sql(`UPDATE digit_bill_details SET expiry_date = 1 WHERE bill_id = $1`, [bill.id]);
      expectErrors(await pay(payment(w, [{ bill }])), 400, ['BILL_EXPIRED']);
      const fresh = (await fetchBill(t, w, 'WS', code)).body.Bill;
      expect(fresh).toHaveLength(1);
      expect(fresh[0].id).not.toBe(bill.id);
      expect(fresh[0]).toMatchObject({ status: 'ACTIVE', totalAmount: 525.5 });
      expect((await billById(w, bill.id)).status).toBe('EXPIRED');
      expectErrors(await pay(payment(w, [{ bill }])), 400, ['INVALID_BILL_STATUS']);
      await paidOk(await pay(payment(w, [{ bill: fresh[0] }])));
    });

    it('a paid bill paid again is BILL_ALREADY_PAID', async () => {
      const { bill } = await wsBill();
      await paidOk(await pay(payment(w, [{ bill }])));
      expectErrors(await pay(payment(w, [{ bill }])), 400, ['BILL_ALREADY_PAID']);
      expectErrors(await pay(payment(w, [{ bill }], online())), 400, ['BILL_ALREADY_PAID']);
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM digit_payment_details WHERE bill_id = $1`,
        [bill.id],
      );
      expect(n).toBe(1);
    });

    it('several bills: each failed rule of each bill is reported, and nothing is paid', async () => {
      const a = (await wsBill()).bill;
      const b = (await ptBill()).bill;
      const res = await pay(
        payment(w, [
          { bill: a, paid: 100 },
          { bill: b, paid: 10 },
        ]),
      );
      expectErrors(res, 400, ['INVALID_PAYMENTDETAIL', 'INVALID_PAYMENTDETAIL']);
      expect((await billById(w, a.id)).status).toBe('ACTIVE');
      expect((await billById(w, b.id)).status).toBe('ACTIVE');
    });

    it('_validate runs the same checks and writes nothing', async () => {
      const { bill } = await wsBill();
      const counter = async () =>
        (
          await sql<{ value: string }>(
            `SELECT value::text FROM digit_id_counters WHERE tenant_id = $1 AND name = 'COLL_RCPT_NUM'`,
            [w.city],
          )
        )[0]?.value ?? '0';
      const before = await counter();
      const ok = await pay(payment(w, [{ bill }]), w.employeeToken, '_validate');
      expect(ok.status).toBe(200);
      expect(ok.body.ResponseInfo).toMatchObject({ status: 'SUCCESSFUL' });
      expectErrors(await pay(payment(w, [{ bill, paid: 100 }]), w.employeeToken, '_validate'), 400, [
        'INVALID_PAYMENTDETAIL',
      ]);
      expectErrors(
        await pay(payment(w, [{ bill }], { paymentMode: 'X' }), w.employeeToken, '_validate'),
        400,
        ['INVALID_PAYMENTMODE'],
      );
      expectErrors(
        await pay(payment(w, [{ bill: { ...bill, id: randomUUID() } }]), w.employeeToken, '_validate'),
        400,
        ['INVALID_BILL_ID'],
      );
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM digit_payment_details WHERE bill_id = $1`,
        [bill.id],
      );
      expect(n).toBe(0);
      expect(await billById(w, bill.id)).toMatchObject({ status: 'ACTIVE', amountPaid: 0 });
      expect(await counter()).toBe(before);
      // A paid bill fails _validate as _create does.
      await paidOk(await pay(payment(w, [{ bill }])));
      expectErrors(await pay(payment(w, [{ bill }]), w.employeeToken, '_validate'), 400, [
        'BILL_ALREADY_PAID',
      ]);
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('4. apportionment: oldest period first, negative heads in full, then positive heads by order', () => {
    beforeAll(async () => {
      const bs = await t
        .http()
        .post('/billing-service/businessservices/_create')
        .send({
          ...ri(w.superToken),
          BusinessServiceDetails: [
            {
              tenantId: w.state,
              businessService: 'TradeLicense',
              code: 'TL',
              partPaymentAllowed: true,
              minAmountPayable: 0,
              isAdvanceAllowed: false,
              collectionModesNotAllowed: [],
            },
          ],
        });
      expect(bs.status).toBe(201);
      const heads: [string, string, number][] = [
        ['TL_REBATE', 'REBATE', 0],
        ['TL_TIME_PENALTY', 'PENALTY', 1],
        ['TL_CHARGE', 'CHARGES', 2],
        ['TL_FEE', 'FEE', 3],
      ];
      const th = await t
        .http()
        .post('/billing-service/taxheads/_create')
        .send({
          ...ri(w.superToken),
          TaxHeadMasters: heads.map(([code, category, order]) => ({
            tenantId: w.state,
            service: 'TL',
            code,
            name: code,
            category,
            order,
          })),
        });
      expect(th.status).toBe(201);
    });

    it('two heads: the lower-order head (penalty, order 1) is paid before the charge (order 2)', async () => {
      const { code, bill } = await billFor(w, 'TL', [
        ['TL_CHARGE', 500],
        ['TL_TIME_PENALTY', 25.5],
      ]);
      const p = await paidOk(await pay(payment(w, [{ bill, paid: 100 }])));
      expect(p.paymentDetails[0].apportionment).toEqual([
        { taxHeadCode: 'TL_TIME_PENALTY', adjustedAmount: 25.5 },
        { taxHeadCode: 'TL_CHARGE', adjustedAmount: 74.5 },
      ]);
      const [demand] = await demandsOf(w, 'TL', code);
      expect(collected(demand)).toEqual({ TL_CHARGE: [500, 74.5], TL_TIME_PENALTY: [25.5, 25.5] });
      const b = await billById(w, bill.id);
      expect(b).toMatchObject({ status: 'PARTIALLY_PAID', totalAmount: 425.5 });
      expect(
        Object.fromEntries(b.billDetails[0].billAccountDetails.map((a) => [a.taxHeadCode, a.adjustedAmount])),
      ).toEqual({ TL_CHARGE: 74.5, TL_TIME_PENALTY: 25.5 });
    });

    it('two periods: the older one first; in each, the rebate in full, then by order (not by amount)', async () => {
      const code = consumerCode('TL');
      await createDemand(
        t,
        w,
        'TL',
        code,
        [
          ['TL_FEE', 100],
          ['TL_TIME_PENALTY', 20],
        ],
        {
          taxPeriodFrom: Date.parse('2025-04-01T00:00:00Z'),
          taxPeriodTo: Date.parse('2026-03-31T23:59:59Z'),
        },
      );
      await createDemand(t, w, 'TL', code, [
        ['TL_CHARGE', 300],
        ['TL_FEE', 25.5],
        ['TL_REBATE', -50],
      ]);
      const bill: BillView = (await fetchBill(t, w, 'TL', code)).body.Bill[0];
      expect(bill.totalAmount).toBe(395.5);
      const p = await paidOk(await pay(payment(w, [{ bill, paid: 200 }])));
      // Old period: penalty (1) then fee (3), 120 in all; new period: rebate -50 (so 130 left), then the charge
      // (order 2) takes it all — the fee of 25.5 (order 3, the smallest amount) gets nothing.
      expect(p.paymentDetails[0].apportionment).toEqual([
        { taxHeadCode: 'TL_TIME_PENALTY', adjustedAmount: 20 },
        { taxHeadCode: 'TL_FEE', adjustedAmount: 100 },
        { taxHeadCode: 'TL_REBATE', adjustedAmount: -50 },
        { taxHeadCode: 'TL_CHARGE', adjustedAmount: 130 },
      ]);
      const [older, newer] = await demandsOf(w, 'TL', code);
      expect(collected(older)).toEqual({ TL_FEE: [100, 100], TL_TIME_PENALTY: [20, 20] });
      expect(older.isPaymentCompleted).toBe(true);
      expect(collected(newer)).toEqual({ TL_CHARGE: [300, 130], TL_FEE: [25.5, 0], TL_REBATE: [-50, -50] });
      expect(newer.isPaymentCompleted).toBe(false);

      const rest: BillView = (await fetchBill(t, w, 'TL', code)).body.Bill[0];
      expect(rest).toMatchObject({ id: bill.id, totalAmount: 195.5 });
      const p2 = await paidOk(await pay(payment(w, [{ bill: rest }])));
      expect(p2.paymentDetails[0].apportionment).toEqual([
        { taxHeadCode: 'TL_CHARGE', adjustedAmount: 170 },
        { taxHeadCode: 'TL_FEE', adjustedAmount: 25.5 },
      ]);
      const [, done] = await demandsOf(w, 'TL', code);
      expect(collected(done)).toEqual({ TL_CHARGE: [300, 300], TL_FEE: [25.5, 25.5], TL_REBATE: [-50, -50] });
      expect(done.isPaymentCompleted).toBe(true);
      expect((await billById(w, bill.id)).status).toBe('PAID');
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('5. receipt numbers', () => {
    it('follow [cy:MM]/[fy:yyyy-yy]/[SEQ] per tenant, consecutive, and a failed _create uses no number', async () => {
      const wr = await createDigitWorld(t);
      // A service that allows advance but has no advance tax head: an advance on it fails after receipt numbers
      // were drawn (inside the transaction), so it shows that a late failure gives them back.
      expect(
        (
          await t
            .http()
            .post('/billing-service/businessservices/_create')
            .send({
              ...ri(wr.superToken),
              BusinessServiceDetails: [
                {
                  tenantId: wr.state,
                  businessService: 'Sewerage',
                  code: 'SW',
                  partPaymentAllowed: false,
                  isAdvanceAllowed: true,
                },
              ],
            })
        ).status,
      ).toBe(201);
      expect(
        (
          await t
            .http()
            .post('/billing-service/taxheads/_create')
            .send({
              ...ri(wr.superToken),
              TaxHeadMasters: [
                {
                  tenantId: wr.state,
                  service: 'SW',
                  code: 'SW_CHARGE',
                  name: 'Sewerage',
                  category: 'CHARGES',
                },
              ],
            })
        ).status,
      ).toBe(201);

      const now = new Date();
      const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
      const fyStart = now.getUTCMonth() >= 3 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
      const fy = `${fyStart}-${String(fyStart + 1).slice(2)}`;
      const receipt = (n: number) => `${mm}/${fy}/${String(n).padStart(6, '0')}`;
      const receiptsOf = (p: PaymentView) => p.paymentDetails.map((d) => d.receiptNumber).sort();

      const b1 = (await wsBill(wr)).bill;
      const b2 = (await wsBill(wr)).bill;
      const b3 = (await ptBill(wr)).bill;
      const b4 = (await wsBill(wr)).bill;
      const sw = (await billFor(wr, 'SW', [['SW_CHARGE', 300]])).bill;
      const pt2 = (await ptBill(wr)).bill;

      const p1 = await paidOk(await pay(payment(wr, [{ bill: b1 }]), wr.employeeToken));
      expect(receiptsOf(p1)).toEqual([receipt(1)]);
      const p2 = await paidOk(await pay(payment(wr, [{ bill: b2 }, { bill: b3 }]), wr.employeeToken));
      expect(receiptsOf(p2)).toEqual([receipt(2), receipt(3)]);

      // A rule broken in the second detail.
      expectErrors(await pay(payment(wr, [{ bill: b4 }, { bill: pt2, paid: 10 }]), wr.employeeToken), 400, [
        'INVALID_PAYMENTDETAIL',
      ]);
      // A failure after both details drew their numbers.
      expectErrors(await pay(payment(wr, [{ bill: b4 }, { bill: sw, paid: 400 }]), wr.employeeToken), 400, [
        'ADVANCE_TAXHEAD_MISSING',
      ]);
      expect(await billById(wr, b4.id)).toMatchObject({ status: 'ACTIVE', amountPaid: 0 });
      expect(await billById(wr, sw.id)).toMatchObject({ status: 'ACTIVE', amountPaid: 0 });

      const p3 = await paidOk(await pay(payment(wr, [{ bill: b4 }]), wr.employeeToken));
      expect(receiptsOf(p3)).toEqual([receipt(4)]);
      const p4 = await paidOk(await pay(payment(wr, [{ bill: sw }, { bill: pt2 }]), wr.employeeToken));
      expect(receiptsOf(p4)).toEqual([receipt(5), receipt(6)]);

      // Another city of the state counts its own receipts.
      const jalandhar = `${wr.state}.jalandhar`;
      const code = consumerCode('WS');
      const demand = await t
        .http()
        .post('/billing-service/demand/_create')
        .send({
          ...ri(wr.employeeToken),
          Demands: [
            {
              tenantId: jalandhar,
              consumerCode: code,
              businessService: 'WS',
              taxPeriodFrom: Date.parse('2026-04-01T00:00:00Z'),
              taxPeriodTo: Date.parse('2027-03-31T23:59:59Z'),
              demandDetails: [{ taxHeadMasterCode: 'WS_CHARGE', taxAmount: 250 }],
            },
          ],
        });
      expect(demand.status).toBe(201);
      const jBill = (
        await t
          .http()
          .post(
            `/billing-service/bill/v2/_fetchbill?tenantId=${jalandhar}&businessService=WS&consumerCode=${code}`,
          )
          .send(ri(wr.employeeToken))
      ).body.Bill[0];
      const pj = await paidOk(
        await pay({ ...payment(wr, [{ bill: jBill }]), tenantId: jalandhar }, wr.employeeToken),
      );
      expect(receiptsOf(pj)).toEqual([receipt(1)]);
      expect(pj.transactionNumber).toMatch(/^jalandhar\d{10}$/);

      // The numbers in the database: 1..6 for the city, no gaps, no duplicates.
      const rows = await sql<{ receipt_number: string }>(
        `SELECT receipt_number FROM digit_payment_details WHERE tenant_id = $1 ORDER BY receipt_number`,
        [wr.city],
      );
      expect(rows.map((r) => r.receipt_number)).toEqual([1, 2, 3, 4, 5, 6].map(receipt));
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('6. concurrency and idempotency', () => {
    it('the same bill paid twice at once: one 200, one BILL_ALREADY_PAID, one payment row', async () => {
      const { bill } = await wsBill();
      const a = payment(w, [{ bill }], online());
      const b = payment(w, [{ bill }], online());
      const results = await Promise.all([pay(a), pay(b)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
      expectErrors(
        results.find((r) => r.status === 400)!,
        400,
        ['BILL_ALREADY_PAID'],
      );
      const rows = await sql<{ id: string }>(
        `SELECT p.id FROM digit_payments p JOIN digit_payment_details d ON d.payment_id = p.id WHERE d.bill_id = $1`,
        [bill.id],
      );
      expect(rows).toHaveLength(1);
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM digit_payments WHERE tenant_id = $1 AND transaction_number = ANY($2::text[])`,
        [w.city, [a.transactionNumber, b.transactionNumber]],
      );
      expect(n).toBe(1);
      expect(await billById(w, bill.id)).toMatchObject({ status: 'PAID', amountPaid: 525.5 });
    });

    it('two _fetchbill at once for a consumer with no bill: one bill', async () => {
      const code = consumerCode('WS');
      await createDemand(t, w, 'WS', code, [['WS_CHARGE', 300]]);
      const [x, y] = await Promise.all([fetchBill(t, w, 'WS', code), fetchBill(t, w, 'WS', code)]);
      expect([x.status, y.status]).toEqual([201, 201]);
      expect(x.body.Bill[0].id).toEqual(expect.any(String));
      expect(y.body.Bill[0].id).toBe(x.body.Bill[0].id);
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM digit_bills WHERE tenant_id = $1 AND consumer_code = $2`,
        [w.city, code],
      );
      expect(n).toBe(1);
    });

    it('the same ONLINE request twice gives the same payment; other details under that number are refused', async () => {
      const { bill } = await wsBill();
      const body = payment(w, [{ bill }], online());
      const first = await paidOk(await pay(body));
      const again = await paidOk(await pay(body));
      expect(again.id).toBe(first.id);
      expect(again.paymentDetails[0].receiptNumber).toBe(first.paymentDetails[0].receiptNumber);
      expectErrors(await pay({ ...body, paidBy: 'Someone Else' }), 400, ['DUPLICATE_TRANSACTION_NUMBER']);
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM digit_payments WHERE tenant_id = $1 AND transaction_number = $2`,
        [w.city, body.transactionNumber],
      );
      expect(n).toBe(1);
    });

    it('the same ONLINE request twice at once (a gateway retry) gives the same payment to both', async () => {
      const { bill } = await wsBill();
      const body = payment(w, [{ bill }], online());
      const results = await Promise.all([pay(body), pay(body)]);
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM digit_payments WHERE tenant_id = $1 AND transaction_number = $2`,
        [w.city, body.transactionNumber],
      );
      expect(n).toBe(1);
      // The retry waits on the consumer's lock, then finds the first request's payment.
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      expect(results[1].body.Payments[0].id).toBe(results[0].body.Payments[0].id);
    });

    it('two CANCELs of one payment at once: one succeeds, the collection is given back once', async () => {
      const { code, bill } = await wsBill();
      const p = await paidOk(await pay(payment(w, [{ bill }])));
      const results = await Promise.all([
        workflow([{ paymentId: p.id, action: 'CANCEL' }]),
        workflow([{ paymentId: p.id, action: 'CANCEL' }]),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
      expectErrors(
        results.find((r) => r.status === 400)!,
        400,
        ['RECEIPT_WORKFLOW_INVALID_RECEIPT'],
      );
      const [demand] = await demandsOf(w, 'WS', code);
      expect(collected(demand)).toEqual({ WS_CHARGE: [500, 0], WS_TIME_PENALTY: [25.5, 0] });
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('7. workflow', () => {
    it('CANCEL a CASH payment: CANCELLED, bill CANCELLED, demand back to 0, amount due again, ledger reversed', async () => {
      const wl = await createDigitWorld(t);
      const { code, bill } = await wsBill(wl);
      const p = await paidOk(await pay(payment(wl, [{ bill }]), wl.employeeToken));
      const accounts = () =>
        sql<{ code: string; debits: string; credits: string }>(
          `SELECT code, debits_posted::text AS debits, credits_posted::text AS credits FROM ledger_accounts
           WHERE tenant_id = $1 AND code LIKE 'digit:%' ORDER BY code`,
          [wl.city],
        );
      const posted = await accounts();
      expect(posted).toEqual([
        { code: 'digit:collections:cash:INR', debits: '52550', credits: '0' },
        { code: 'digit:service:WS:INR', debits: '0', credits: '52550' },
      ]);

      const res = await workflow([{ paymentId: p.id, action: 'CANCEL' }], wl.superToken, wl);
      expect(res.status).toBe(200);
      expect(res.body.Payments[0]).toMatchObject({
        id: p.id,
        paymentStatus: 'CANCELLED',
        instrumentStatus: 'CANCELLED',
      });
      expect((await billById(wl, bill.id)).status).toBe('CANCELLED');
      const [demand] = await demandsOf(wl, 'WS', code);
      expect(collected(demand)).toEqual({ WS_CHARGE: [500, 0], WS_TIME_PENALTY: [25.5, 0] });
      expect(demand.isPaymentCompleted).toBe(false);
      const fresh = (await fetchBill(t, wl, 'WS', code)).body.Bill;
      expect(fresh).toHaveLength(1);
      expect(fresh[0].id).not.toBe(bill.id);
      expect(fresh[0]).toMatchObject({ status: 'ACTIVE', totalAmount: 525.5 });
      expect(await accounts()).toEqual([
        { code: 'digit:collections:cash:INR', debits: '52550', credits: '52550' },
        { code: 'digit:service:WS:INR', debits: '52550', credits: '52550' },
      ]);
      const transfers = await sql<{ code: string; amount: string }>(
        `SELECT code, amount::text FROM ledger_transfers WHERE tenant_id = $1 AND reference_id = $2 ORDER BY created_at`,
        [wl.city, p.paymentDetails[0].receiptNumber],
      );
      expect(transfers).toEqual([
        { code: 'digit.collection', amount: '52550' },
        { code: 'digit.collection.reversal', amount: '52550' },
      ]);

      // CANCEL twice: the second finds it cancelled.
      expectErrors(await workflow([{ paymentId: p.id, action: 'CANCEL' }], wl.superToken, wl), 400, [
        'RECEIPT_WORKFLOW_INVALID_RECEIPT',
      ]);
      // The new bill can be paid.
      await paidOk(await pay(payment(wl, [{ bill: fresh[0] }]), wl.employeeToken));
    });

    it('CANCEL of an advance payment gives the advance back too', async () => {
      const { code, bill } = await wsBill();
      const p = await paidOk(await pay(payment(w, [{ bill, paid: 600 }])));
      expect((await workflow([{ paymentId: p.id, action: 'CANCEL' }])).status).toBe(200);
      const [demand] = await demandsOf(w, 'WS', code);
      const net = (head: string) =>
        round2(
          demand.demandDetails
            .filter((d) => d.taxHeadMasterCode === head)
            .reduce((s, d) => s + d.taxAmount - d.collectionAmount, 0),
        );
      expect([net('WS_CHARGE'), net('WS_TIME_PENALTY'), net('WS_ADVANCE_CARRYFORWARD')]).toEqual([
        500, 25.5, 0,
      ]);
      expect((await fetchBill(t, w, 'WS', code)).body.Bill[0]).toMatchObject({ totalAmount: 525.5 });
      expect((await billById(w, bill.id)).amountPaid).toBe(0);
    });

    it('CANCEL an ONLINE payment is RECEIPT_WORKFLOW_INVALID_RECEIPT', async () => {
      const { bill } = await wsBill();
      const p = await paidOk(await pay(payment(w, [{ bill }], online())));
      expectErrors(await workflow([{ paymentId: p.id, action: 'CANCEL' }]), 400, [
        'RECEIPT_WORKFLOW_INVALID_RECEIPT',
      ]);
      expect((await billById(w, bill.id)).status).toBe('PAID');
    });

    it('CANCEL a payment that is not the latest of its consumer is RECEIPT_WORKFLOW_ACTION_NOT_APPLICABLE', async () => {
      const { code, bill } = await ptBill();
      const first = await paidOk(await pay(payment(w, [{ bill, paid: 200 }])));
      const rest = (await fetchBill(t, w, 'PT', code)).body.Bill[0];
      const second = await paidOk(await pay(payment(w, [{ bill: rest }])));
      expectErrors(await workflow([{ paymentId: first.id, action: 'CANCEL' }]), 400, [
        'RECEIPT_WORKFLOW_ACTION_NOT_APPLICABLE',
      ]);
      const statusOf = async (id: string) =>
        (await sql<{ s: string }>(`SELECT payment_status AS s FROM digit_payments WHERE id = $1`, [id]))[0].s;
      expect(await statusOf(first.id)).toBe('NEW');
      // Latest first; then the earlier one is the latest.
      expect((await workflow([{ paymentId: second.id, action: 'CANCEL' }])).status).toBe(200);
      let [demand] = await demandsOf(w, 'PT', code);
      expect(collected(demand)).toEqual({ PT_TAX: [1200, 320], PT_REBATE: [-120, -120] });
      expect((await workflow([{ paymentId: first.id, action: 'CANCEL' }])).status).toBe(200);
      expect([await statusOf(first.id), await statusOf(second.id)]).toEqual(['CANCELLED', 'CANCELLED']);
      [demand] = await demandsOf(w, 'PT', code);
      expect(collected(demand)).toEqual({ PT_TAX: [1200, 0], PT_REBATE: [-120, 0] });
      expect((await fetchBill(t, w, 'PT', code)).body.Bill[0]).toMatchObject({
        status: 'ACTIVE',
        totalAmount: 1080,
      });
    });

    it('after two CANCELs, a bill fetched between them no longer says what is due', async () => {
      const { code, bill } = await ptBill();
      const first = await paidOk(await pay(payment(w, [{ bill, paid: 200 }])));
      const rest = (await fetchBill(t, w, 'PT', code)).body.Bill[0];
      const second = await paidOk(await pay(payment(w, [{ bill: rest }])));
      expect((await workflow([{ paymentId: second.id, action: 'CANCEL' }])).status).toBe(200);
      const between = (await fetchBill(t, w, 'PT', code)).body.Bill[0];
      expect(between).toMatchObject({ status: 'ACTIVE', totalAmount: 880 });
      expect((await workflow([{ paymentId: first.id, action: 'CANCEL' }])).status).toBe(200);
      const [demand] = await demandsOf(w, 'PT', code);
      expect(collected(demand)).toEqual({ PT_TAX: [1200, 0], PT_REBATE: [-120, 0] });
      // A reversal expires the consumer's current bill, as a demand change does: the next fetch shows 1080.
      expect((await fetchBill(t, w, 'PT', code)).body.Bill[0]).toMatchObject({ totalAmount: 1080 });
    });

    it('one action and one tenant per request', async () => {
      const a = await paidOk(await pay(payment(w, [{ bill: (await wsBill()).bill }])));
      const b = await paidOk(await pay(payment(w, [{ bill: (await wsBill()).bill }])));
      expectErrors(
        await workflow([
          { paymentId: a.id, action: 'CANCEL' },
          { paymentId: b.id, action: 'REMIT' },
        ]),
        400,
        ['PAYMENT_WORKFLOW_SINGLE_ACTION_ALLOWED'],
      );
      expectErrors(
        await workflow([
          { paymentId: a.id, action: 'CANCEL' },
          { paymentId: b.id, action: 'CANCEL', tenantId: `${w.state}.jalandhar` },
        ]),
        400,
        ['CROSS_TENANT_OP_NOT_ALLOWED'],
      );
      const [pa, pb] = await Promise.all(
        [a, b].map((p) =>
          sql<{ s: string }>(`SELECT payment_status AS s FROM digit_payments WHERE id = $1`, [p.id]),
        ),
      );
      expect([pa[0].s, pb[0].s]).toEqual(['NEW', 'NEW']);
    });

    it('DISHONOUR a CHEQUE: DISHONOURED and the amount is due again; a CASH payment cannot be', async () => {
      const { code, bill } = await wsBill();
      const p = await paidOk(await pay(payment(w, [{ bill }], cheque())));
      const res = await workflow([{ paymentId: p.id, action: 'DISHONOUR' }]);
      expect(res.status).toBe(200);
      expect(res.body.Payments[0]).toMatchObject({
        paymentStatus: 'DISHONOURED',
        instrumentStatus: 'DISHONOURED',
      });
      expect((await billById(w, bill.id)).status).toBe('CANCELLED');
      const [demand] = await demandsOf(w, 'WS', code);
      expect(collected(demand)).toEqual({ WS_CHARGE: [500, 0], WS_TIME_PENALTY: [25.5, 0] });
      const fresh = (await fetchBill(t, w, 'WS', code)).body.Bill[0];
      expect(fresh).toMatchObject({ status: 'ACTIVE', totalAmount: 525.5 });
      expect(fresh.id).not.toBe(bill.id);
      expectErrors(await workflow([{ paymentId: p.id, action: 'DISHONOUR' }]), 400, [
        'RECEIPT_WORKFLOW_INVALID_RECEIPT',
      ]);

      const cash = await paidOk(await pay(payment(w, [{ bill: fresh }])));
      expectErrors(await workflow([{ paymentId: cash.id, action: 'DISHONOUR' }]), 400, [
        'RECEIPT_WORKFLOW_INVALID_RECEIPT',
      ]);
      expect((await billById(w, fresh.id)).status).toBe('PAID');
    });

    it('a remitted CHEQUE can still be dishonoured', async () => {
      const { code, bill } = await wsBill();
      const p = await paidOk(await pay(payment(w, [{ bill }], cheque())));
      expect((await workflow([{ paymentId: p.id, action: 'REMIT' }])).body.Payments[0]).toMatchObject({
        paymentStatus: 'DEPOSITED',
        instrumentStatus: 'REMITTED',
      });
      const res = await workflow([{ paymentId: p.id, action: 'DISHONOUR' }]);
      expect(res.status).toBe(200);
      expect(res.body.Payments[0]).toMatchObject({ paymentStatus: 'DISHONOURED' });
      expect((await fetchBill(t, w, 'WS', code)).body.Bill[0]).toMatchObject({ totalAmount: 525.5 });
    });

    it('REMIT a CASH payment: DEPOSITED / REMITTED, bill stays PAID, demand stays collected; then no CANCEL', async () => {
      const { code, bill } = await wsBill();
      const p = await paidOk(await pay(payment(w, [{ bill }])));
      const res = await workflow([{ paymentId: p.id, action: 'REMIT' }]);
      expect(res.status).toBe(200);
      expect(res.body.Payments[0]).toMatchObject({
        id: p.id,
        paymentStatus: 'DEPOSITED',
        instrumentStatus: 'REMITTED',
      });
      expect(await billById(w, bill.id)).toMatchObject({ status: 'PAID', amountPaid: 525.5 });
      const [demand] = await demandsOf(w, 'WS', code);
      expect(collected(demand)).toEqual({ WS_CHARGE: [500, 500], WS_TIME_PENALTY: [25.5, 25.5] });
      expect(demand.isPaymentCompleted).toBe(true);
      expect((await fetchBill(t, w, 'WS', code)).body.Bill).toEqual([]);
      // Nor is the ledger posting reversed.
      const transfers = await sql<{ code: string }>(
        `SELECT code FROM ledger_transfers WHERE tenant_id = $1 AND reference_id = $2`,
        [w.city, p.paymentDetails[0].receiptNumber],
      );
      expect(transfers.map((x) => x.code)).toEqual(['digit.collection']);

      expectErrors(await workflow([{ paymentId: p.id, action: 'CANCEL' }]), 400, [
        'RECEIPT_WORKFLOW_INVALID_RECEIPT',
      ]);
      expectErrors(await workflow([{ paymentId: p.id, action: 'REMIT' }]), 400, [
        'RECEIPT_WORKFLOW_INVALID_RECEIPT',
      ]);
      expect((await billById(w, bill.id)).status).toBe('PAID');
    });

    it('an unknown payment id is RECEIPT_WORKFLOW_INVALID_RECEIPT; an unknown action is refused', async () => {
      expectErrors(await workflow([{ paymentId: randomUUID(), action: 'CANCEL' }]), 400, [
        'RECEIPT_WORKFLOW_INVALID_RECEIPT',
      ]);
      expectErrors(await workflow([{ paymentId: randomUUID(), action: 'REFUND' }]), 400, [
        'INVALID_WORKFLOW_ACTION',
      ]);
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('8. search', () => {
    let s: DigitWorld;
    let t0: number;
    let t1: number;
    let p1: PaymentView; // CASH WS
    let p2: PaymentView; // ONLINE WS, the citizen's
    let p3: PaymentView; // CHEQUE WS
    let p4: PaymentView; // CASH PT

    const search = (query: string, token = s.employeeToken, module = 'WS/') =>
      t.http().post(`${PAYMENTS}/${module}_search?tenantId=${s.city}${query}`).send(ri(token));
    const ids = (res: Response) => {
      expect(res.status).toBe(200);
      return (res.body.Payments as PaymentView[]).map((p) => p.id).sort();
    };
    const sorted = (...ps: PaymentView[]) => ps.map((p) => p.id).sort();

    beforeAll(async () => {
      s = await createDigitWorld(t);
      t0 = Date.now() - 1000;
      p1 = await paidOk(await pay(payment(s, [{ bill: (await wsBill(s)).bill }]), s.employeeToken));
      p2 = await paidOk(
        await pay(
          payment(s, [{ bill: (await wsBill(s)).bill }], { ...online(), payerId: s.citizenUuid }),
          s.employeeToken,
        ),
      );
      p3 = await paidOk(await pay(payment(s, [{ bill: (await wsBill(s)).bill }], cheque()), s.employeeToken));
      p4 = await paidOk(await pay(payment(s, [{ bill: (await ptBill(s)).bill }]), s.employeeToken));
      t1 = Date.now() + 1000;
    });

    it('an EMPLOYEE must use the module path (EGCL_URI_EXCEPTION)', async () => {
      expectErrors(await search('', s.employeeToken, ''), 400, ['EGCL_URI_EXCEPTION']);
      expectErrors(await search('', s.superToken, ''), 400, ['EGCL_URI_EXCEPTION']);
    });

    it('the module limits the search to its business service', async () => {
      expect(ids(await search(''))).toEqual(sorted(p1, p2, p3));
      expect(ids(await search('', s.employeeToken, 'PT/'))).toEqual(sorted(p4));
      // A state tenant matches its cities.
      expect(
        ids(await t.http().post(`${PAYMENTS}/WS/_search?tenantId=${s.state}`).send(ri(s.employeeToken))),
      ).toEqual(sorted(p1, p2, p3));
    });

    it('filters: receiptNumbers, consumerCodes, paymentModes, status, ids', async () => {
      const r1 = p1.paymentDetails[0].receiptNumber;
      const r3 = p3.paymentDetails[0].receiptNumber;
      expect(ids(await search(`&receiptNumbers=${r1}`))).toEqual(sorted(p1));
      expect(ids(await search(`&receiptNumbers=${r1},${r3}`))).toEqual(sorted(p1, p3));
      expect(ids(await search(`&consumerCodes=${p2.paymentDetails[0].consumerCode}`))).toEqual(sorted(p2));
      expect(ids(await search(`&paymentModes=ONLINE`))).toEqual(sorted(p2));
      expect(ids(await search(`&paymentModes=CASH,CHEQUE`))).toEqual(sorted(p1, p3));
      expect(ids(await search(`&status=DEPOSITED`))).toEqual(sorted(p2));
      expect(ids(await search(`&status=NEW`))).toEqual(sorted(p1, p3));
      expect(ids(await search(`&ids=${p3.id}`))).toEqual(sorted(p3));
      // The receipt of a PT payment is not found through WS.
      expect(ids(await search(`&receiptNumbers=${p4.paymentDetails[0].receiptNumber}`))).toEqual([]);
    });

    it('fromDate / toDate (toDate takes its whole day)', async () => {
      expect(ids(await search(`&fromDate=${t0}`))).toEqual(sorted(p1, p2, p3));
      expect(ids(await search(`&fromDate=${t1}`))).toEqual([]);
      expect(ids(await search(`&toDate=${t0 - 2 * DAY}`))).toEqual([]);
      expect(ids(await search(`&toDate=${t0}`))).toEqual(sorted(p1, p2, p3));
      expect(ids(await search(`&fromDate=${p2.transactionDate}&toDate=${t1}`))).toEqual(sorted(p2, p3));
    });

    it('limit / offset page through the results, newest first', async () => {
      const page1 = await search('&limit=2');
      const page2 = await search('&limit=2&offset=2');
      const first = page1.body.Payments as PaymentView[];
      const second = page2.body.Payments as PaymentView[];
      expect(first.map((p) => p.id)).toEqual([p3.id, p2.id]);
      expect(second.map((p) => p.id)).toEqual([p1.id]);
      expect(ids(await search('&limit=2&offset=3'))).toEqual([]);
    });

    it('isCountRequest=true returns Count', async () => {
      const all = await search('&isCountRequest=true');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ Count: 3, ResponseInfo: { status: 'SUCCESSFUL' } });
      expect(all.body.Payments).toBeUndefined();
      expect((await search('&isCountRequest=true&paymentModes=CASH')).body.Count).toBe(1);
      expect((await search('&isCountRequest=true', s.employeeToken, 'PT/')).body.Count).toBe(1);
    });

    it("a CITIZEN's search returns only the payments it is the payer of", async () => {
      expect(ids(await search('', s.citizenToken, ''))).toEqual(sorted(p2));
      expect(ids(await search('', s.citizenToken))).toEqual(sorted(p2));
      expect(ids(await search(`&ids=${p1.id},${p2.id}`, s.citizenToken, ''))).toEqual(sorted(p2));
      expect(ids(await search(`&payerIds=${randomUUID()}`, s.citizenToken, ''))).toEqual(sorted(p2));
      expect(ids(await search('', s.citizenToken, 'PT/'))).toEqual([]);
    });

    it('_plainsearch (SUPERUSER) pages through every payment, oldest first, ignoring filters', async () => {
      const page = (offset: number) =>
        t
          .http()
          .post(
            `${PAYMENTS}/_plainsearch?tenantId=${s.city}&limit=3&offset=${offset}&consumerCodes=${p1.paymentDetails[0].consumerCode}`,
          )
          .send(ri(s.superToken));
      const a = await page(0);
      const b = await page(3);
      expect(a.status).toBe(200);
      expect((a.body.Payments as PaymentView[]).map((p) => p.id)).toEqual([p1.id, p2.id, p3.id]);
      expect((b.body.Payments as PaymentView[]).map((p) => p.id)).toEqual([p4.id]);
      expectErrors(
        await t.http().post(`${PAYMENTS}/_plainsearch?tenantId=${s.city}`).send(ri(s.employeeToken)),
        403,
        ['AccessDeniedException'],
      );
    });
  });
});
