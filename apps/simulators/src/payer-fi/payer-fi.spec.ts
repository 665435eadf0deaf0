import { call, FakePbb, PbbRequest, startFakePbb } from '../biller/fake-pbb.testing';
import { PayerFiOptions, PayerFiSimulator, startPayerFi } from './payer-fi';

describe('payer FI simulator', () => {
  let fi: PayerFiSimulator;
  let pbb: FakePbb;

  async function start(opts: PayerFiOptions = {}): Promise<PayerFiSimulator> {
    await fi?.close();
    fi = await startPayerFi({
      pbbUrl: pbb.url,
      pbbApiKey: 'fi-key',
      tenantId: 'tenant-1',
      payerFiId: 'FI-7',
      ...opts,
    });
    return fi;
  }

  beforeEach(async () => {
    pbb = await startFakePbb();
    await start();
  });
  afterEach(async () => {
    await fi.close();
    await pbb.close();
  });

  const rtpBody = (n = 1) => ({
    TxnID: `TXN-${n}`,
    rTPID: `RTP-${n}`,
    requestId: `RQ-${n}`,
    billDetails: { 'Bill ID': `B-${n}`, 'Biller Name': 'City Water', Amount: 150000, Currency: 'KES' },
  });
  const sendRtp = (n = 1, opts: { secret?: string } = {}) =>
    call(fi.url, 'POST', '/rtpRequest', rtpBody(n), {
      ...opts,
      headers: { 'X-billerId': 'BLR-1', 'X-CorrelationID': `corr-${n}` },
    });
  const to = (path: string) => (r: PbbRequest) => r.url.split('?')[0] === path;

  it('acknowledges a request to pay and posts an accepting rtpResponse to the server', async () => {
    expect(await sendRtp(1)).toMatchObject({
      status: 200,
      json: { responseCode: '00', responseDescription: 'RTP received', requestID: 'TXN-1' },
    });
    await pbb.waitFor((r) => r.length === 1);
    const [res] = pbb.requests;
    expect(res.method).toBe('POST');
    expect(res.url).toBe('/rtpResponse');
    expect(res.body).toEqual({
      RequestId: expect.stringMatching(/^[A-Z0-9]{12}$/),
      txnId: 'TXN-1',
      rtpId: 'RTP-1',
      billId: 'B-1',
      rtpStatus: '00',
      rejectReason: null,
    });
    expect(res.headers).toMatchObject({
      'content-type': 'application/json',
      'x-api-key': 'fi-key',
      'x-platform-tenantid': 'tenant-1',
      'x-correlationid': 'corr-1',
      'x-billerid': 'BLR-1',
      'x-payerfi-id': 'FI-7',
    });
    const s = await fi.waitFor((st) => st.responsesSent.length === 1);
    expect(s.rtps).toHaveLength(1);
    expect(s.rtps[0].body).toEqual(rtpBody(1));
    expect(s.rtps[0].headers['x-billerid']).toBe('BLR-1');
    expect(s.responsesSent).toEqual([
      { rtpId: 'RTP-1', billId: 'B-1', rtpStatus: '00', httpStatus: 200, attempts: 1 },
    ]);
    expect(s.payments).toEqual([]);
    // No payment without payOnAccept.
    await new Promise((r) => setTimeout(r, 50));
    expect(pbb.requests).toHaveLength(1);
  });

  it('rejects with the configured reason', async () => {
    fi.configure({ decision: 'reject', rejectReason: 'Insufficient funds' });
    await sendRtp(2);
    await pbb.waitFor((r) => r.length === 1);
    expect(pbb.requests[0].body).toMatchObject({
      txnId: 'TXN-2',
      rtpId: 'RTP-2',
      billId: 'B-2',
      rtpStatus: '01',
      rejectReason: 'Insufficient funds',
    });
    const s = await fi.waitFor((st) => st.responsesSent.length === 1);
    expect(s.responsesSent[0]).toMatchObject({ rtpStatus: '01', httpStatus: 200 });

    // The default reason, through the control endpoint.
    await start();
    expect((await call(fi.url, 'POST', '/_sim/config', { decision: 'reject' })).status).toBe(200);
    await sendRtp(3);
    await pbb.waitFor((r) => r.length === 2);
    expect(pbb.requests[1].body).toMatchObject({ rtpStatus: '01', rejectReason: 'R' });
  });

  it('pays an accepted request when payOnAccept: inquiry first, then the payment', async () => {
    pbb.respond((r) =>
      r.method === 'GET'
        ? [200, { RequestID: 'PBB-INQ-1', billId: 'B-1', amount: 150000 }]
        : [202, { ok: true }],
    );
    await start({ payOnAccept: true });
    await sendRtp(1);
    const s = await fi.waitFor((st) => st.payments.length === 1);
    expect(pbb.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /rtpResponse',
      'GET /bills/B-1?fields=inquiry',
      'POST /billTransferRequests',
    ]);
    const [, inquiry, payment] = pbb.requests;
    const inquiryId = inquiry.headers['x-correlationid'] as string;
    expect(inquiryId).toMatch(/^[A-Z0-9]{12}$/);
    expect(inquiry.headers).toMatchObject({
      'x-api-key': 'fi-key',
      'x-platform-tenantid': 'tenant-1',
      'x-payerfi-id': 'FI-7',
    });
    expect(inquiry.body).toBeUndefined();
    expect(payment.body).toEqual({
      requestId: expect.stringMatching(/^[A-Z0-9]{12}$/),
      billInquiryRequestId: 'PBB-INQ-1',
      billId: 'B-1',
      paymentReferenceID: expect.stringMatching(/^[A-Z0-9]{16}$/),
    });
    expect(payment.headers).toMatchObject({ 'x-api-key': 'fi-key', 'x-payerfi-id': 'FI-7' });
    expect(s.payments[0]).toEqual({
      billId: 'B-1',
      inquiryStatus: 200,
      paymentStatus: 202,
      paymentReferenceID: payment.body?.paymentReferenceID,
      inquiryRequestId: inquiryId,
      billInquiryRequestId: 'PBB-INQ-1',
      requestId: payment.body?.requestId,
    });
  });

  it('falls back to the inquiry ID it sent, and does not pay when the inquiry fails', async () => {
    let inquiryStatus = 200;
    pbb.respond((r) => (r.method === 'GET' ? [inquiryStatus, {}] : [200, {}]));
    await start({ payOnAccept: true });
    await sendRtp(1);
    await fi.waitFor((st) => st.payments.length === 1);
    const inquiryId = pbb.requests[1].headers['x-correlationid'];
    expect(pbb.requests[2].body?.billInquiryRequestId).toBe(inquiryId);

    inquiryStatus = 404;
    await sendRtp(2);
    const s = await fi.waitFor((st) => st.payments.length === 2);
    expect(s.payments[1]).toMatchObject({ billId: 'B-2', inquiryStatus: 404, paymentStatus: null });
    expect(pbb.requests.filter(to('/billTransferRequests'))).toHaveLength(1);
  });

  it('does not pay a rejected request even with payOnAccept', async () => {
    await start({ payOnAccept: true, decision: 'reject' });
    await sendRtp(1);
    await fi.waitFor((st) => st.responsesSent.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(pbb.requests.map((r) => r.url)).toEqual(['/rtpResponse']);
  });

  it('records payment notifications', async () => {
    const res = await call(
      fi.url,
      'POST',
      '/billTransferRequests',
      { requestId: 'PAY-1', billId: 'B-1', status: 'RJC', rejectReason: 'Dup' },
      { headers: { 'X-CorrelationID': 'n-1' } },
    );
    expect(res).toMatchObject({
      status: 200,
      json: { respCode: '00', reason: 'Received', requestID: 'PAY-1' },
    });
    const s = fi.state();
    expect(s.notifications).toEqual([
      {
        body: { requestId: 'PAY-1', billId: 'B-1', status: 'RJC', rejectReason: 'Dup' },
        headers: expect.objectContaining({ 'x-correlationid': 'n-1' }),
      },
    ]);
  });

  it('answers 503 while down and records nothing, then works again', async () => {
    fi.setDown(true);
    expect(await sendRtp(1)).toMatchObject({ status: 503, json: { responseCode: '01' } });
    expect((await call(fi.url, 'POST', '/billTransferRequests', { requestId: 'P' })).status).toBe(503);
    await new Promise((r) => setTimeout(r, 30));
    expect(fi.state()).toMatchObject({ rtps: [], notifications: [], responsesSent: [], down: true });
    expect(pbb.requests).toHaveLength(0);

    expect((await call(fi.url, 'POST', '/_sim/down', { down: false })).json).toEqual({ down: false });
    expect((await sendRtp(2)).status).toBe(200);
    await fi.waitFor((st) => st.responsesSent.length === 1);
    expect(pbb.requests).toHaveLength(1);
  });

  it('checks signatures when given a secret', async () => {
    await start({ secret: 'fi-secret' });
    expect(await sendRtp(1)).toMatchObject({
      status: 401,
      json: { responseCode: '01', reason: 'bad signature' },
    });
    expect((await sendRtp(1, { secret: 'other' })).status).toBe(401);
    expect((await sendRtp(1, { secret: 'fi-secret' })).status).toBe(200);
    expect(fi.state().rtps).toHaveLength(1);
  });

  it('answers after respondDelayMs, retries a failed answer, and validates requests and settings', async () => {
    await start({ respondDelayMs: 150 });
    pbb.failNext(1);
    const sentAt = Date.now();
    await sendRtp(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(pbb.requests).toHaveLength(0);
    const s = await fi.waitFor((st) => st.responsesSent.length === 1, 3_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(140);
    expect(s.responsesSent[0]).toMatchObject({ httpStatus: 200, attempts: 2 });

    expect((await call(fi.url, 'POST', '/rtpRequest', { TxnID: 'T' })).status).toBe(400);
    expect((await call(fi.url, 'POST', '/_sim/config', { decision: 'maybe' })).status).toBe(400);
    expect((await call(fi.url, 'POST', '/_sim/config', { colour: 'red' })).status).toBe(400);
    expect(() => fi.configure({ respondDelayMs: -5 })).toThrow(RangeError);
    const state = (await call(fi.url, 'GET', '/_sim/state')).json as { config: Record<string, unknown> };
    expect(state.config).toMatchObject({ decision: 'accept', respondDelayMs: 150, pbbApiKey: '(set)' });
    expect((await call(fi.url, 'DELETE', '/_sim/state')).status).toBe(204);
    expect(fi.state()).toMatchObject({ rtps: [], responsesSent: [] });
    expect((await call(fi.url, 'GET', '/rtpRequest')).status).toBe(404);
  });

  it('cancels pending answers on reset', async () => {
    await start({ respondDelayMs: 100 });
    await sendRtp(1);
    fi.reset();
    await new Promise((r) => setTimeout(r, 200));
    expect(pbb.requests).toHaveLength(0);
    expect(fi.state().responsesSent).toEqual([]);
    // Still answers requests after the reset.
    await sendRtp(2);
    await fi.waitFor((st) => st.responsesSent.length === 1, 2_000);
    expect(pbb.requests.map((r) => r.body?.rtpId)).toEqual(['RTP-2']);
  });
});
