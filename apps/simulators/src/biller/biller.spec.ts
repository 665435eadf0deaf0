import { signCallback } from '@app/callbacks/signature';
import { BillerOptions, BillerSimulator, SimBill, startBillerSimulator } from './biller';
import { call, FakePbb, startFakePbb } from './fake-pbb.testing';
import { isoDate } from './sim-kit';

describe('biller simulator', () => {
  let biller: BillerSimulator;

  async function start(opts: BillerOptions = {}): Promise<BillerSimulator> {
    await biller?.close();
    biller = await startBillerSimulator(opts);
    return biller;
  }

  beforeEach(() => start({ billerId: 'BLR-1', billerName: 'City Water', autoBillPrefix: 'AUTO-' }));
  afterEach(() => biller.close());

  const bill = (overrides: Partial<SimBill> = {}): SimBill => ({
    billId: 'B-100',
    dueDate: isoDate(10),
    amountonDueDate: 150000,
    amountAfterDueDate: 155000,
    billName: 'Water May',
    generatedDate: isoDate(-5),
    customer: { name: 'Amina', phoneNumber: '+254700000001', consumerId: 'C-1' },
    ...overrides,
  });
  const inquire = (billId: string, headers: Record<string, string> = {}) =>
    call(biller.url, 'GET', `/bills/${billId}`, undefined, {
      headers: { 'X-CorrelationID': 'corr-1234567890abcdef', 'X-Platform-TenantId': 't1', ...headers },
    });
  const advise = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call(biller.url, 'POST', '/billTransferRequests', body, {
      headers: { 'X-CorrelationID': 'corr-adv', 'X-PayerFI-ID': 'FI-1', ...headers },
    });
  const billState = (billId = 'B-100') => biller.state().bills.find((b) => b.billId === billId);

  describe('bill inquiry', () => {
    it('answers a known bill with its details and counts the inquiry', async () => {
      biller.addBill(bill());
      const res = await inquire('B-100');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe(String(JSON.stringify(res.json).length));
      expect(res.json).toEqual({
        code: '00',
        reason: 'OK',
        requestID: 'corr-1234567',
        billId: 'B-100',
        billDetails: {
          billerId: 'BLR-1',
          billerName: 'City Water',
          billStatus: 'UNPAID',
          dueDate: isoDate(10),
          amountonDueDate: 150000,
          amountAfterDueDate: 155000,
          currency: 'KES',
          amountPaid: 0,
          billName: 'Water May',
          generatedDate: isoDate(-5),
        },
      });
      expect(biller.state().inquiries).toBe(1);
    });

    it('answers 404 for an unknown bill', async () => {
      expect(await inquire('NOPE-1')).toMatchObject({
        status: 404,
        json: { code: '01', reason: 'Bill not found', requestID: 'corr-1234567', billId: 'NOPE-1' },
      });
      expect(biller.state().inquiries).toBe(1);
    });

    it('makes up a deterministic UNPAID bill under autoBillPrefix and keeps it', async () => {
      const first = (await inquire('AUTO-42')) as {
        status: number;
        json: { billDetails: Record<string, unknown> };
      };
      expect(first.status).toBe(200);
      const d = first.json.billDetails;
      expect(d).toMatchObject({ billStatus: 'UNPAID', dueDate: isoDate(30), currency: 'KES', amountPaid: 0 });
      const amount = d.amountonDueDate as number;
      expect(Number.isInteger(amount)).toBe(true);
      expect((amount - 1000) % 100).toBe(0);
      expect(amount).toBeGreaterThanOrEqual(1000);
      expect(amount).toBeLessThan(1000 + 9000 * 100);
      expect(d.amountAfterDueDate).toBe(amount + 5000);
      expect(billState('AUTO-42')).toMatchObject({ amountonDueDate: amount, status: 'UNPAID' });

      // The same ID gets the same bill in another simulator; a different ID (almost surely) another amount.
      const other = await startBillerSimulator({ autoBillPrefix: 'AUTO-' });
      try {
        const again = (await call(other.url, 'GET', '/bills/AUTO-42')) as {
          json: { billDetails: Record<string, unknown> };
        };
        expect(again.json.billDetails.amountonDueDate).toBe(amount);
        const amounts = new Set<unknown>();
        for (const id of ['AUTO-1', 'AUTO-2', 'AUTO-3', 'AUTO-4'])
          amounts.add(
            (
              (await call(other.url, 'GET', `/bills/${id}`)).json as {
                billDetails: { amountonDueDate: number };
              }
            ).billDetails.amountonDueDate,
          );
        expect(amounts.size).toBeGreaterThan(1);
      } finally {
        await other.close();
      }
      expect((await inquire('OTHER-42')).status).toBe(404);
    });

    it('answers 503 while down, and normally once up again', async () => {
      biller.addBill(bill());
      biller.setDown(true);
      expect(await inquire('B-100')).toMatchObject({
        status: 503,
        json: { responseCode: '01', reason: 'biller unavailable' },
      });
      expect(await advise({ requestID: 'r1', billId: 'B-100', PaymentReferenceID: 'REF-1' })).toMatchObject({
        status: 503,
      });
      expect((await call(biller.url, 'POST', '/bills/fetchBills', [])).status).toBe(503);
      expect((await call(biller.url, 'POST', '/rtpUpdate', {})).status).toBe(503);
      expect(biller.state()).toMatchObject({ down: true, inquiries: 1 });
      expect(biller.state().advices).toEqual([
        expect.objectContaining({
          billId: 'B-100',
          paymentReferenceId: 'REF-1',
          requestId: 'r1',
          outcome: 'DOWN',
        }),
      ]);
      expect(billState()?.amountPaid).toBe(0);

      expect((await call(biller.url, 'POST', '/_sim/down', { down: false })).json).toEqual({ down: false });
      expect((await inquire('B-100')).status).toBe(200);
      expect(biller.state()).toMatchObject({ down: false, inquiries: 2 });
    });
  });

  describe('mark-bill-paid advices', () => {
    beforeEach(() => biller.addBill(bill()));

    it('applies a payment reference once: the same reference again is ACKed with the first answer', async () => {
      const first = await advise({
        requestID: 'req-1',
        billId: 'B-100',
        PaymentReferenceID: 'REF-1',
        amount: 150000,
      });
      expect(first).toMatchObject({
        status: 202,
        json: { responseCode: '00', reason: 'Marked paid', requestID: 'req-1', status: 'ACK' },
      });
      expect(billState()).toMatchObject({ status: 'PAID', amountPaid: 150000, paidReferences: ['REF-1'] });

      const again = await advise({
        requestID: 'req-2',
        billId: 'B-100',
        PaymentReferenceID: 'REF-1',
        amount: 150000,
      });
      expect(again.status).toBe(202);
      expect(again.json).toEqual(first.json);
      expect(billState()).toMatchObject({ status: 'PAID', amountPaid: 150000, paidReferences: ['REF-1'] });

      const advices = biller.state().advices;
      expect(advices.map((a) => [a.requestId, a.outcome, a.repeated ?? false])).toEqual([
        ['req-1', 'ACK', false],
        ['req-2', 'ACK', true],
      ]);
      expect(advices[0]).toMatchObject({ amount: 150000, paymentReferenceId: 'REF-1' });
      expect(advices[0].headers['x-payerfi-id']).toBe('FI-1');
      expect(advices[0].headers['x-correlationid']).toBe('corr-adv');
    });

    it('rejects another reference on a paid bill as Dup', async () => {
      await advise({ requestID: 'req-1', billId: 'B-100', PaymentReferenceID: 'REF-1' });
      expect(billState()).toMatchObject({ status: 'PAID', amountPaid: 150000 });
      expect(await advise({ requestID: 'req-2', billId: 'B-100', PaymentReferenceID: 'REF-2' })).toEqual(
        expect.objectContaining({
          status: 200,
          json: {
            responseCode: '01',
            reason: 'Bill already paid',
            requestID: 'req-2',
            status: 'RJC',
            rejectReason: 'Dup',
          },
        }),
      );
      expect(billState()).toMatchObject({ amountPaid: 150000, paidReferences: ['REF-1'] });
      expect(biller.state().advices.map((a) => [a.outcome, a.rejectReason])).toEqual([
        ['ACK', undefined],
        ['RJC', 'Dup'],
      ]);
    });

    it('rejects an unknown bill as Und', async () => {
      expect(await advise({ requestID: 'req-9', billId: 'NOPE', PaymentReferenceID: 'REF-9' })).toEqual(
        expect.objectContaining({
          status: 200,
          json: {
            responseCode: '01',
            reason: 'Unknown bill',
            requestID: 'req-9',
            status: 'RJC',
            rejectReason: 'Und',
          },
        }),
      );
    });

    it('marks a partial payment PARTIALLY_PAID, and a payment without amount pays the rest', async () => {
      expect(
        (await advise({ requestID: 'req-1', billId: 'B-100', PaymentReferenceID: 'REF-1', amount: 50000 }))
          .json,
      ).toMatchObject({ status: 'ACK' });
      expect(billState()).toMatchObject({ status: 'PARTIALLY_PAID', amountPaid: 50000 });
      expect((await inquire('B-100')).json).toMatchObject({
        billDetails: { billStatus: 'PARTIALLY_PAID', amountPaid: 50000 },
      });
      await advise({ requestID: 'req-2', billId: 'B-100', PaymentReferenceID: 'REF-2' });
      expect(billState()).toMatchObject({
        status: 'PAID',
        amountPaid: 150000,
        paidReferences: ['REF-1', 'REF-2'],
      });
    });

    it('asks for amountAfterDueDate once the due date has passed', async () => {
      biller.addBill(bill({ billId: 'LATE-1', dueDate: isoDate(-1) }));
      await advise({ requestID: 'req-1', billId: 'LATE-1', PaymentReferenceID: 'REF-1', amount: 150000 });
      expect(billState('LATE-1')).toMatchObject({ status: 'PARTIALLY_PAID', amountPaid: 150000 });
      await advise({ requestID: 'req-2', billId: 'LATE-1', PaymentReferenceID: 'REF-2', amount: 5000 });
      expect(billState('LATE-1')).toMatchObject({ status: 'PAID', amountPaid: 155000 });
    });

    it('answers 400 to an advice without billId or reference, or with a bad amount, and records nothing', async () => {
      expect((await advise({ requestID: 'r', billId: 'B-100' })).status).toBe(400);
      expect((await advise({ requestID: 'r', PaymentReferenceID: 'X' })).status).toBe(400);
      expect(
        (await advise({ requestID: 'r', billId: 'B-100', PaymentReferenceID: 'X', amount: 1.5 })).status,
      ).toBe(400);
      expect((await call(biller.url, 'POST', '/billTransferRequests', '{not json')).status).toBe(400);
      expect(biller.state().advices).toEqual([]);
      expect(billState()?.amountPaid).toBe(0);
    });
  });

  describe('signatures', () => {
    const secret = 'biller-secret';
    beforeEach(async () => {
      await start({ secret });
      biller.addBill(bill());
    });

    it('answers 401 without a valid X-Signature, and serves signed requests', async () => {
      const unsigned = await call(biller.url, 'GET', '/bills/B-100');
      expect(unsigned).toMatchObject({ status: 401, json: { responseCode: '01', reason: 'bad signature' } });
      expect((await call(biller.url, 'GET', '/bills/B-100', undefined, { secret: 'wrong' })).status).toBe(
        401,
      );
      expect((await call(biller.url, 'GET', '/bills/B-100', undefined, { secret })).status).toBe(200);

      const body = { requestID: 'r1', billId: 'B-100', PaymentReferenceID: 'REF-1' };
      // Signed over another body: refused, and nothing is paid.
      const t = Math.floor(Date.now() / 1000);
      const forged = await call(biller.url, 'POST', '/billTransferRequests', body, {
        headers: { 'X-Signature': signCallback(secret, t, JSON.stringify({ ...body, amount: 1 })) },
      });
      expect(forged.status).toBe(401);
      expect(billState()?.amountPaid).toBe(0);
      expect((await call(biller.url, 'POST', '/billTransferRequests', body, { secret })).status).toBe(202);
      expect(billState()?.amountPaid).toBe(150000);

      // Control endpoints need no signature.
      expect((await call(biller.url, 'GET', '/_sim/state')).status).toBe(200);
    });
  });

  describe('asynchronous acknowledgements', () => {
    let pbb: FakePbb;
    beforeEach(async () => {
      pbb = await startFakePbb();
      await start({
        billerId: 'BLR-9',
        asyncAck: true,
        pbbUrl: `${pbb.url}/`,
        pbbApiKey: 'biller-key',
        tenantId: 'tenant-1',
      });
      biller.addBill(bill());
    });
    afterEach(() => pbb.close());

    it('answers 202 without a status, then posts ACK and RJC to the server with its credentials', async () => {
      const res = await advise({ requestID: 'req-1', billId: 'B-100', PaymentReferenceID: 'REF-1' });
      expect(res).toMatchObject({
        status: 202,
        json: { responseCode: '00', reason: 'Accepted', requestID: 'req-1' },
      });
      expect(res.json).not.toHaveProperty('status');
      expect(billState()).toMatchObject({ status: 'PAID', amountPaid: 150000 });

      await pbb.waitFor((r) => r.length === 1);
      const [ack] = pbb.requests;
      expect(ack.method).toBe('POST');
      expect(ack.url).toBe('/billTransferRequests');
      expect(ack.body).toEqual({
        requestId: 'req-1',
        billId: 'B-100',
        paymentReferenceId: 'REF-1',
        status: 'ACK',
      });
      expect(ack.headers).toMatchObject({
        'content-type': 'application/json',
        'x-api-key': 'biller-key',
        'x-platform-tenantid': 'tenant-1',
        'x-correlationid': 'corr-adv',
        'x-billerid': 'BLR-9',
      });

      await advise({ requestID: 'req-2', billId: 'B-100', PaymentReferenceID: 'REF-2' });
      await pbb.waitFor((r) => r.length === 2);
      expect(pbb.requests[1].body).toEqual({
        requestId: 'req-2',
        billId: 'B-100',
        paymentReferenceId: 'REF-2',
        status: 'RJC',
        rejectReason: 'Dup',
      });
      const s = await biller.waitFor((st) => st.callbacks.length === 2);
      expect(s.callbacks.map((c) => [c.status, c.httpStatus, c.attempts])).toEqual([
        ['ACK', 200, 1],
        ['RJC', 200, 1],
      ]);
    });

    it('tries a failed acknowledgement again', async () => {
      pbb.failNext(2);
      await advise({ requestID: 'req-1', billId: 'B-100', PaymentReferenceID: 'REF-1' });
      const s = await biller.waitFor((st) => st.callbacks.length === 1, 5_000);
      expect(s.callbacks[0]).toMatchObject({ status: 'ACK', httpStatus: 200, attempts: 3 });
      expect(pbb.requests).toHaveLength(3);
      expect(
        pbb.requests.every((r) => (r.body as { paymentReferenceId: string }).paymentReferenceId === 'REF-1'),
      ).toBe(true);
    });
  });

  describe('customer lookup and RTP updates', () => {
    it('finds the open bills of a consumer', async () => {
      biller.addBill(bill());
      biller.addBill(bill({ billId: 'B-101', status: 'PAID' }));
      biller.addBill(bill({ billId: 'B-102', billName: 'Water June', amountonDueDate: 90000 }));
      biller.addBill(bill({ billId: 'B-200', customer: { name: 'Baraka', consumerId: 'C-2' } }));
      const res = (await call(biller.url, 'POST', '/bills/fetchBills', [
        { identifierKey: 'consumerId', identifierValue: 'C-1' },
      ])) as { status: number; json: { bills: { billId: string }[]; customer: unknown } };
      expect(res.status).toBe(200);
      expect(res.json.bills.map((b) => b.billId)).toEqual(['B-100', 'B-102']);
      expect(res.json.bills[1]).toEqual({
        billId: 'B-102',
        billName: 'Water June',
        billStatus: 'UNPAID',
        dueDate: isoDate(10),
        generatedDate: isoDate(-5),
        amountonDueDate: 90000,
        amountAfterDueDate: 155000,
        currency: 'KES',
        amountPaid: 0,
      });
      expect(res.json.customer).toEqual({ name: 'Amina', phoneNumber: '+254700000001', consumerId: 'C-1' });

      const byPhone = await call(biller.url, 'POST', '/bills/fetchBills', [
        { identifierKey: 'mobileNumber', identifierValue: '+254700000001' },
      ]);
      expect((byPhone.json as { bills: unknown[] }).bills).toHaveLength(2);
      const byBill = await call(biller.url, 'POST', '/bills/fetchBills', [
        { identifierKey: 'billId', identifierValue: 'B-200' },
      ]);
      expect((byBill.json as { customer: { consumerId: string } }).customer.consumerId).toBe('C-2');
      expect(
        (
          await call(biller.url, 'POST', '/bills/fetchBills', [
            { identifierKey: 'consumerId', identifierValue: 'C-9' },
          ])
        ).json,
      ).toEqual({ bills: [], customer: null });
      expect((await call(biller.url, 'POST', '/bills/fetchBills', { identifierKey: 'x' })).status).toBe(400);
    });

    it('records RTP updates relayed by the server', async () => {
      const res = await call(
        biller.url,
        'POST',
        '/rtpUpdate',
        { requestID: 'rq-1', rtpId: 'RTP-1', status: 'ACCEPTED' },
        { headers: { 'X-CorrelationID': 'c-1' } },
      );
      expect(res).toMatchObject({
        status: 200,
        json: { responseCode: '00', responseDescription: 'Received', requestID: 'rq-1' },
      });
      await call(
        biller.url,
        'POST',
        '/transferRequests/TR-7',
        { status: 'REJECTED' },
        { headers: { 'X-CorrelationID': 'c-2' } },
      );
      const updates = biller.state().rtpUpdates;
      expect(updates.map((u) => [u.path, u.body])).toEqual([
        ['/rtpUpdate', { requestID: 'rq-1', rtpId: 'RTP-1', status: 'ACCEPTED' }],
        ['/transferRequests/TR-7', { status: 'REJECTED' }],
      ]);
      expect(updates[1].headers['x-correlationid']).toBe('c-2');
      expect((await call(biller.url, 'POST', '/elsewhere', {})).status).toBe(404);
    });
  });

  describe('control endpoints and settings', () => {
    it('adds bills, changes settings, resets', async () => {
      const added = await call(biller.url, 'POST', '/_sim/bills', [
        bill(),
        bill({ billId: 'B-2', currency: 'TZS' }),
      ]);
      expect(added).toMatchObject({ status: 201, json: { added: 2 } });
      expect((await call(biller.url, 'POST', '/_sim/bills', bill({ billId: 'B-3' }))).status).toBe(201);
      const bad = await call(biller.url, 'POST', '/_sim/bills', [bill({ billId: 'B-4' }), { billId: 'B-5' }]);
      expect(bad.status).toBe(400);
      expect((bad.json as { error: string }).error).toMatch(/\[1\].*dueDate/);
      expect(biller.state().bills.map((b) => b.billId)).toEqual(['B-100', 'B-2', 'B-3']);
      expect(() => biller.addBill({ ...bill(), amountonDueDate: 10.5 })).toThrow(RangeError);

      expect((await call(biller.url, 'POST', '/_sim/config', { billerId: 'BLR-NEW' })).status).toBe(200);
      expect((await inquire('B-2')).json).toMatchObject({
        billDetails: { billerId: 'BLR-NEW', currency: 'TZS' },
      });
      expect((await call(biller.url, 'POST', '/_sim/config', { latencyMs: -1 })).status).toBe(400);
      expect((await call(biller.url, 'POST', '/_sim/config', { speed: 1 })).status).toBe(400);
      const state = (await call(biller.url, 'GET', '/_sim/state')).json as {
        config: Record<string, unknown>;
      };
      expect(state.config).toMatchObject({
        billerId: 'BLR-NEW',
        latencyMs: 0,
        asyncAck: false,
        signatureCheck: false,
      });

      await advise({ requestID: 'r', billId: 'B-100', PaymentReferenceID: 'REF-1' });
      expect((await call(biller.url, 'DELETE', '/_sim/state')).status).toBe(204);
      expect(biller.state()).toMatchObject({ bills: [], advices: [], inquiries: 0, rtpUpdates: [] });
      expect((await call(biller.url, 'GET', '/_sim/nothing')).status).toBe(404);
    });

    it('answers after latencyMs', async () => {
      biller.addBill(bill());
      biller.configure({ latencyMs: 150 });
      const started = Date.now();
      expect((await inquire('B-100')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      biller.configure({ latencyMs: 0 });
      expect(() => biller.configure({ latencyMs: 1.5 })).toThrow(RangeError);
    });

    it('rejects pending waits when closed', async () => {
      const waiting = biller.waitFor(() => false, 5_000);
      await biller.close();
      await expect(waiting).rejects.toThrow(/closed/);
      biller = await startBillerSimulator();
    });
  });
});
