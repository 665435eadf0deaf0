import { startBillerSimulator, BillerSimulator } from '../apps/simulators/src/biller/biller';
import type { BillerState, ReceivedRtpUpdate } from '../apps/simulators/src/biller/biller';
import { startPayerFi, PayerFiSimulator } from '../apps/simulators/src/payer-fi/payer-fi';
import type { PayerFiState } from '../apps/simulators/src/payer-fi/payer-fi';
import { as, uniqueMsisdn } from './support/bulk-fixtures';
import { createParticipant, functionalId, id12, TestParticipant } from './support/factories';
import {
  bicOf,
  billIdOf,
  createP2gWorld,
  dueIn,
  linkSimulators,
  listenUrl,
  P2gWorld,
  ref16,
  rid12,
} from './support/p2g-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Requests to pay (billerRtpReq / payerRtpReq / payerRtpResp / billerRtpResp / rtpStatusUpdate) and the BBPS
 * biller face (fetchBills, fetchReceipt), through the biller and payer FI simulators.
 */

interface RtpUpdateBody {
  requestId?: string;
  rtpId?: number;
  billerRtpId?: string | null;
  billId?: string;
  rtpStatus?: string;
  rejectReason?: string;
  RequestId?: string;
  requestStatus?: string;
  PaymentReferenceID?: string;
  lastUpdateDate?: number;
}

interface FiRtpBody {
  TxnID?: string;
  rTPID?: number;
  billDetails?: Record<string, unknown>;
}

const WAIT = 15_000;

/** The relayed payer answers (`POST <X-Callback-URL>`) of one request to pay. */
const answersOf = (s: BillerState, rtpNo: string): RtpUpdateBody[] =>
  s.rtpUpdates
    .filter(
      (u: ReceivedRtpUpdate) => u.path === '/rtpUpdate' && (u.body as RtpUpdateBody).rtpId === Number(rtpNo),
    )
    .map((u) => u.body as RtpUpdateBody);

/** The status pushes (`POST <baseUrl>/transferRequests/<RTPId>`) of one request to pay. */
const pushesOf = (s: BillerState, rtpNo: string): RtpUpdateBody[] =>
  s.rtpUpdates.filter((u) => u.path === `/transferRequests/${rtpNo}`).map((u) => u.body as RtpUpdateBody);

/** The payerRtpReq messages the payer FI simulator received for one request to pay. */
const fiRtpsOf = (s: PayerFiState, rtpNo: string): FiRtpBody[] =>
  s.rtps.map((r) => r.body as FiRtpBody).filter((b) => b.rTPID === Number(rtpNo));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('P2G requests to pay and the BBPS biller face (e2e, through the simulators)', () => {
  let t: TestApp;
  let biller: BillerSimulator;
  let fi: PayerFiSimulator;
  let w: P2gWorld;
  let pbbUrl: string;
  let rtpCallback: string;
  let rtpCounter = 0;

  beforeAll(async () => {
    t = await createTestApp({
      P2G_ADVICE_BACKOFF_BASE_MS: '50',
      P2G_ADVICE_BACKOFF_MAX_MS: '200',
      P2G_SWEEP_INTERVAL_MS: '300',
      P2G_RTP_TTL_HOURS: '1',
    });
    pbbUrl = await listenUrl(t);
    biller = await startBillerSimulator();
    fi = await startPayerFi();
    w = await createP2gWorld(t, { billerUrl: biller.url, payerFiUrl: fi.url });
    linkSimulators(w, pbbUrl, biller, fi);
    rtpCallback = `${biller.url}/rtpUpdate`;
  });

  afterAll(async () => {
    await biller?.close();
    await fi?.close();
    await t?.close();
  });

  beforeEach(() => {
    fi.setDown(false);
    fi.configure({ decision: 'accept', rejectReason: 'R', payOnAccept: false, respondDelayMs: 0 });
  });

  // ---------------------------------------------------------------- helpers

  const rtpBody = (billId: string, extra: Record<string, unknown> = {}) => ({
    requestId: rid12(),
    rtpId: 7000 + rtpCounter++,
    billID: billId,
    requestType: '00',
    payerFiDetails: { payerFIBIC: w.bic },
    billDetails: { billerName: 'CityWater', amount: 150000, currency: 'KES' },
    ...extra,
  });

  const postRtp = (
    body: unknown,
    o: { caller?: TestParticipant; billerId?: string | null; callbackUrl?: string | null } = {},
  ) => {
    let r = t
      .http()
      .post('/rtpRequest')
      .set(as(o.caller ?? w.biller));
    const billerId = o.billerId === undefined ? w.billerId : o.billerId;
    if (billerId !== null) r = r.set('X-billerId', billerId);
    const cb = o.callbackUrl === undefined ? rtpCallback : o.callbackUrl;
    if (cb !== null) r = r.set('X-Callback-URL', cb);
    return r.send(body as object);
  };

  const rtpStatus = (rtpNo: string, caller: TestParticipant = w.biller, billerId: string = w.billerId) =>
    t.http().get(`/transferRequests/${rtpNo}`).set(as(caller)).set('X-billerId', billerId);

  const rtpResponse = (caller: TestParticipant, body: Record<string, unknown>) =>
    t.http().post('/rtpResponse').set(as(caller)).send(body);

  const rtpRows = (requestId: string) =>
    t.ds.query(
      `SELECT r.rtp_no::text AS rtp_no, r.status, r.request_type, r.payer_fi_id, r.payer_response,
              r.reject_reason, r.payment_id, r.expires_at, r.created_at
         FROM rtp_requests r WHERE r.tenant_id = $1 AND r.request_id = $2`,
      [w.tenantId, requestId],
    ) as Promise<
      {
        rtp_no: string;
        status: string;
        request_type: string;
        payer_fi_id: string;
        payer_response: string | null;
        reject_reason: string | null;
        payment_id: string | null;
        expires_at: Date;
        created_at: Date;
      }[]
    >;

  const addBill = (billId: string, extra: Record<string, unknown> = {}) =>
    biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 150000, ...extra });

  /** Registers `alias` in the account mapper with the given institution code (as a source BB would). */
  const registerAlias = async (alias: string, institution: string) => {
    const source = await createParticipant(t, { tenantId: w.tenantId, kind: 'source_bb' });
    const res = await t
      .http()
      .post('/register-beneficiary')
      .set(as(source))
      .send({
        RequestID: id12('R'),
        SourceBBID: source.code,
        Beneficiaries: [
          {
            PayeeFunctionalID: alias,
            PaymentModality: '01',
            FinancialAddress: uniqueMsisdn(),
            BankingInstitutionCode: institution,
          },
        ],
      });
    expect(res.status).toBe(200);
    expect(res.body.ResponseCode).toBe('00');
    expect(res.body.FailedCases ?? []).toEqual([]);
  };

  /** Another payer FI linked in the same tenant (it never answers anything: its URL goes nowhere). */
  const linkOtherPayerFi = async (): Promise<TestParticipant> => {
    const bic = bicOf();
    const res = await t
      .http()
      .post('/p2g/payer-fis')
      .set(as(w.operator))
      .send({ code: bic, name: 'Other Bank', bic, baseUrl: 'http://127.0.0.1:9/other-fi' });
    expect(res.status).toBe(201);
    const c = res.body.credentials;
    return { id: res.body.payerFi.participantId, code: bic, tenantId: w.tenantId, ...c };
  };

  /** A second biller onboarded (and approved) in the same tenant. */
  const onboardOtherBiller = async (): Promise<{ billerId: string; prefix: string; p: TestParticipant }> => {
    const res = await t
      .http()
      .post('/p2g/billers')
      .set(as(w.operator))
      .send({
        name: 'County Revenue',
        shortName: 'County',
        kind: 'biller',
        baseUrl: 'http://127.0.0.1:9/other-biller',
        timeoutMs: 1000,
        currencies: ['KES'],
        settlementAccount: { bankCode: 'CBKEKENX', accountNumber: '0099887766' },
        rules: { amountExactness: 'EXACT' },
      });
    expect(res.status).toBe(201);
    const { biller: b, credentials: c } = res.body;
    if (b.status === 'pending_approval') {
      const ok = await t.http().post(`/p2g/billers/${b.billerId}/approve`).set(as(w.checker)).send({});
      expect(ok.status).toBe(201);
    }
    return {
      billerId: b.billerId,
      prefix: b.prefix,
      p: { id: b.participantId, code: b.billerId, tenantId: w.tenantId, ...c },
    };
  };

  const fetchBills = (body: unknown, billerId?: string, caller: TestParticipant = w.payerFi) => {
    let r = t.http().post('/bbps/bills/fetchBills').set(as(caller)).set('X-PayerFI-Id', w.payerFi.code);
    if (billerId) r = r.set('X-Biller-Id', billerId);
    return r.send(body as object);
  };

  const fetchReceipt = (body: Record<string, unknown>) =>
    t
      .http()
      .post('/bbps/bills/fetchReceipt')
      .set(as(w.payerFi))
      .set('X-PayerFI-Id', w.payerFi.code)
      .send(body);

  /** Polls `read` until `until` holds. */
  const eventually = async <T>(
    read: () => Promise<T>,
    until: (v: T) => boolean,
    what: string,
  ): Promise<T> => {
    const deadline = Date.now() + WAIT;
    for (;;) {
      const v = await read();
      if (until(v)) return v;
      if (Date.now() > deadline)
        throw new Error(`${what}: not so within ${WAIT} ms; last ${JSON.stringify(v)}`);
      await sleep(100);
    }
  };

  interface DeliveryRow {
    participant_id: string;
    url: string;
    status: string;
    last_status_code: number | null;
    last_error: string | null;
    payload: Record<string, unknown>;
  }

  /** The server's recorded callbacks of one event type carrying this RTP number. */
  const deliveriesOf = (eventType: string, rtpNo: string) =>
    t.ds.query(
      `SELECT participant_id, url, status, last_status_code, last_error, payload FROM callback_deliveries
        WHERE tenant_id = $1 AND event_type = $2 AND (payload->>'rTPID' = $3 OR payload->>'rtpId' = $3)
        ORDER BY created_at`,
      [w.tenantId, eventType, rtpNo],
    ) as Promise<DeliveryRow[]>;

  /** The test plays the payer FI: inquiry, then the payment report. */
  const payAsFi = async (billId: string) => {
    const inq = await t
      .http()
      .get(`/bills/${billId}?fields=inquiry&requestId=${rid12()}`)
      .set(as(w.payerFi))
      .set('X-PayerFI-Id', w.payerFi.code);
    expect(inq.status).toBe(202);
    const ref = ref16();
    const paid = await t
      .http()
      .post('/billTransferRequests')
      .set(as(w.payerFi))
      .set('X-PayerFI-Id', w.payerFi.code)
      .send({
        requestId: rid12(),
        billInquiryRequestId: inq.body.RequestID,
        billId,
        paymentReferenceID: ref,
      });
    expect(paid.status).toBe(202);
    expect(paid.body.responseCode).toBe('00');
    return ref;
  };

  // ---------------------------------------------------------------- requests to pay, through the payer FI simulator

  // The payer FI simulator answers the server's payerRtpReq (rTPID is a JSON integer, as the YAML types it); the
  // tests further down play the payer FI themselves to look at each message.
  it('type 00 through the simulators: RTP sent, accepted, relayed to the biller, paid by the FI -> COM pushed and queried', async () => {
    fi.configure({ decision: 'accept', payOnAccept: true });
    const billId = billIdOf(w);
    addBill(billId);
    const body = rtpBody(billId);
    const res = await postRtp(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ responseCode: '00', billId, status: 'PND' });
    const rtpNo: string = res.body.RTPId;
    expect(rtpNo).toMatch(/^[0-9]+$/);

    // payerRtpReq was delivered to the payer FI (the simulator answered 2xx).
    const [delivery] = await eventually(
      () => deliveriesOf('p2g.rtp.request', rtpNo),
      (d) => d.length > 0 && d[0].status !== 'pending' && d[0].status !== 'delivering',
      'payerRtpReq delivery',
    );
    expect({ status: delivery.status, code: delivery.last_status_code, error: delivery.last_error }).toEqual({
      status: 'delivered',
      code: 200,
      error: null,
    });
    // payerRtpReq reached the payer FI with the bill's details.
    const fiState = await fi.waitFor((s) => fiRtpsOf(s, rtpNo).length > 0, WAIT);
    expect(fiRtpsOf(fiState, rtpNo)).toEqual([
      expect.objectContaining({
        TxnID: body.requestId,
        rTPID: Number(rtpNo),
        billDetails: { 'Bill ID': billId, 'Biller Name': 'CityWater', Amount: 150000, Currency: 'KES' },
      }),
    ]);

    // The FI's acceptance is relayed to the biller's X-Callback-URL.
    const relayed = await biller.waitFor((s) => answersOf(s, rtpNo).length > 0, WAIT);
    const answer = answersOf(relayed, rtpNo)[0];
    expect(answer).toMatchObject({
      requestId: body.requestId,
      rtpId: Number(rtpNo),
      billerRtpId: String(body.rtpId),
      billId,
      rtpStatus: '00',
    });
    expect(answer.rejectReason).toBeUndefined();

    // The FI then inquires and pays; the payment completes the request to pay and the biller is told.
    const paidFi = await fi.waitFor((s) => s.payments.some((p) => p.billId === billId), WAIT);
    const payment = paidFi.payments.find((p) => p.billId === billId)!;
    expect(payment).toMatchObject({ inquiryStatus: 202, paymentStatus: 202 });
    const pushed = await biller.waitFor(
      (s) => pushesOf(s, rtpNo).some((p) => p.requestStatus === 'COM'),
      WAIT,
    );
    const com = pushesOf(pushed, rtpNo).find((p) => p.requestStatus === 'COM')!;
    expect(com).toMatchObject({
      rtpId: Number(rtpNo),
      RequestId: body.requestId,
      requestStatus: 'COM',
      PaymentReferenceID: payment.paymentReferenceID,
    });
    expect(typeof com.lastUpdateDate).toBe('number');
    expect(Math.abs(com.lastUpdateDate! - Date.now() / 1000)).toBeLessThan(120);
    expect(pushesOf(pushed, rtpNo).map((p) => p.requestStatus)).not.toContain('RJC');

    const st = await rtpStatus(rtpNo);
    expect(st.status).toBe(202);
    expect(st.body).toMatchObject({
      code: '00',
      RTPId: rtpNo,
      billId,
      status: 'COM',
      payerResponse: '00',
      PaymentReferenceID: payment.paymentReferenceID,
      amount: 150000,
      currency: 'KES',
    });

    // The biller acknowledged the mark-bill-paid advice of that payment.
    const advised = await biller.waitFor(
      (s) => s.advices.some((a) => a.billId === billId && a.outcome === 'ACK'),
      WAIT,
    );
    expect(advised.advices.find((a) => a.billId === billId)?.paymentReferenceId).toBe(
      payment.paymentReferenceID,
    );
    const [row] = await rtpRows(body.requestId);
    expect(row).toMatchObject({ status: 'COM', request_type: '00', payer_fi_id: w.payerFi.id });
    expect(row.payment_id).not.toBeNull();
  });

  it('through the simulators: the payer FI rejects -> rtpUpdate 01 with the reason, RJC pushed, status RJC', async () => {
    fi.configure({ decision: 'reject', rejectReason: 'W' });
    const billId = billIdOf(w);
    addBill(billId);
    const body = rtpBody(billId);
    const res = await postRtp(body);
    expect(res.status).toBe(200);
    const rtpNo: string = res.body.RTPId;
    const [delivery] = await eventually(
      () => deliveriesOf('p2g.rtp.request', rtpNo),
      (d) => d.length > 0 && d[0].status !== 'pending' && d[0].status !== 'delivering',
      'payerRtpReq delivery',
    );
    expect({ status: delivery.status, code: delivery.last_status_code }).toEqual({
      status: 'delivered',
      code: 200,
    });

    const s = await biller.waitFor(
      (x) => answersOf(x, rtpNo).length > 0 && pushesOf(x, rtpNo).some((p) => p.requestStatus === 'RJC'),
      WAIT,
    );
    expect(answersOf(s, rtpNo)[0]).toMatchObject({
      requestId: body.requestId,
      rtpId: Number(rtpNo),
      billId,
      rtpStatus: '01',
      rejectReason: 'W',
    });
    expect(pushesOf(s, rtpNo).find((p) => p.requestStatus === 'RJC')).toMatchObject({
      rtpId: Number(rtpNo),
      RequestId: body.requestId,
      requestStatus: 'RJC',
      rejectReason: 'W',
    });
    const fiState = await fi.waitFor((x) => x.responsesSent.some((r) => r.rtpId === rtpNo), WAIT);
    expect(fiState.responsesSent.find((r) => r.rtpId === rtpNo)).toMatchObject({
      rtpStatus: '01',
      httpStatus: 200,
    });

    const st = await rtpStatus(rtpNo);
    expect(st.status).toBe(202);
    expect(st.body).toMatchObject({
      code: '00',
      RTPId: rtpNo,
      billId,
      status: 'RJC',
      payerResponse: '01',
      rejectReason: 'W',
    });
    expect(st.body.PaymentReferenceID).toBeNull();
    const [row] = await rtpRows(body.requestId);
    expect(row).toMatchObject({ status: 'RJC', payer_response: '01', reject_reason: 'W' });
  });

  // ---------------------------------------------------------------- requests to pay, the test playing the payer FI
  // Here the payer FI simulator is down (it answers 503 and records nothing), so it never answers on its own: the
  // test checks what the server sent it and answers as the payer FI with its credentials.

  /** Sends an RTP; checks that payerRtpReq went to the payer FI's /rtpRequest with the bill's details. */
  const sendRtp = async (billId: string, extra: Record<string, unknown> = {}) => {
    fi.setDown(true);
    const body = rtpBody(billId, extra);
    const res = await postRtp(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ responseCode: '00', billId, status: 'PND' });
    const rtpNo: string = res.body.RTPId;
    expect(rtpNo).toMatch(/^[0-9]{1,18}$/);
    const [d] = await eventually(
      () => deliveriesOf('p2g.rtp.request', rtpNo),
      (x) => x.length > 0 && x[0].last_status_code !== null,
      'payerRtpReq attempt',
    );
    // Attempted for real: the simulator's 503 came back.
    expect(d).toMatchObject({
      participant_id: w.payerFi.id,
      url: `${fi.url}/rtpRequest`,
      last_status_code: 503,
    });
    expect(d.payload).toMatchObject({
      TxnID: body.requestId,
      rTPID: Number(rtpNo),
      billDetails: { 'Bill ID': billId, 'Biller Name': 'CityWater', Amount: 150000, Currency: 'KES' },
    });
    return { body, rtpNo };
  };

  const answerAsFi = (
    rtpNo: string,
    billId: string,
    rtpStatus: '00' | '01',
    rejectReason: string | null = null,
  ) =>
    rtpResponse(w.payerFi, {
      RequestId: rid12(),
      rtpId: Number(rtpNo),
      billId,
      rtpStatus,
      rejectReason,
    });

  it('type 00: payerRtpReq to the FI; its acceptance relayed to the biller; the payment completes it (COM pushed)', async () => {
    const billId = billIdOf(w);
    addBill(billId);
    const { body, rtpNo } = await sendRtp(billId);

    const ok = await answerAsFi(rtpNo, billId, '00');
    expect(ok.status).toBe(200);
    expect(ok.body.responseCode).toBe('00');
    const relayed = await biller.waitFor((s) => answersOf(s, rtpNo).length > 0, WAIT);
    const answer = answersOf(relayed, rtpNo)[0];
    expect(answer).toMatchObject({
      requestId: body.requestId,
      rtpId: Number(rtpNo),
      billerRtpId: String(body.rtpId),
      billId,
      rtpStatus: '00',
    });
    expect(answer.rejectReason).toBeUndefined();
    const pending = await rtpStatus(rtpNo);
    expect(pending.status).toBe(202);
    expect(pending.body).toMatchObject({
      code: '00',
      RTPId: rtpNo,
      billId,
      status: 'PND',
      payerResponse: '00',
    });
    expect(pending.body.PaymentReferenceID).toBeNull();

    const ref = await payAsFi(billId);
    const pushed = await biller.waitFor(
      (s) => pushesOf(s, rtpNo).some((p) => p.requestStatus === 'COM'),
      WAIT,
    );
    const com = pushesOf(pushed, rtpNo).find((p) => p.requestStatus === 'COM')!;
    expect(com).toMatchObject({
      rtpId: Number(rtpNo),
      RequestId: body.requestId,
      billId,
      requestStatus: 'COM',
      PaymentReferenceID: ref,
    });
    expect(Math.abs(com.lastUpdateDate! - Date.now() / 1000)).toBeLessThan(120);
    // Acceptance alone pushed nothing: the only status push is COM.
    expect(pushesOf(pushed, rtpNo).map((p) => p.requestStatus)).toEqual(['COM']);

    const st = await rtpStatus(rtpNo);
    expect(st.status).toBe(202);
    expect(st.body).toMatchObject({
      code: '00',
      RTPId: rtpNo,
      billId,
      status: 'COM',
      PaymentReferenceID: ref,
      amount: 150000,
      currency: 'KES',
    });
    const [row] = await rtpRows(body.requestId);
    expect(row).toMatchObject({ status: 'COM', request_type: '00', payer_fi_id: w.payerFi.id });
    expect(row.payment_id).not.toBeNull();
    await biller.waitFor((s) => s.advices.some((a) => a.billId === billId && a.outcome === 'ACK'), WAIT);
  });

  it('type 01: the alias is resolved through the account mapper to the payer FI of its institution', async () => {
    const alias = functionalId();
    await registerAlias(alias, w.bic);
    const billId = billIdOf(w);
    addBill(billId);
    const { body, rtpNo } = await sendRtp(billId, {
      requestType: '01',
      payerFiDetails: undefined,
      alias: { aliasType: '01', aliasId: alias },
    });
    const [row] = await rtpRows(body.requestId);
    expect(row).toMatchObject({ request_type: '01', payer_fi_id: w.payerFi.id, status: 'PND' });

    expect((await answerAsFi(rtpNo, billId, '00')).status).toBe(200);
    const relayed = await biller.waitFor((s) => answersOf(s, rtpNo).length > 0, WAIT);
    expect(answersOf(relayed, rtpNo)[0]).toMatchObject({
      rtpStatus: '00',
      billId,
      requestId: body.requestId,
    });
    const st = await rtpStatus(rtpNo);
    expect(st.body).toMatchObject({ code: '00', RTPId: rtpNo, billId, status: 'PND', payerResponse: '00' });
  });

  it('the payer FI rejects: rtpUpdate 01 with the reason, RJC pushed, status RJC; a later payment leaves it RJC', async () => {
    const billId = billIdOf(w);
    addBill(billId);
    const { body, rtpNo } = await sendRtp(billId);
    const no = await answerAsFi(rtpNo, billId, '01', 'W');
    expect(no.status).toBe(200);

    const s = await biller.waitFor(
      (x) => answersOf(x, rtpNo).length > 0 && pushesOf(x, rtpNo).some((p) => p.requestStatus === 'RJC'),
      WAIT,
    );
    expect(answersOf(s, rtpNo)[0]).toMatchObject({
      requestId: body.requestId,
      rtpId: Number(rtpNo),
      billId,
      rtpStatus: '01',
      rejectReason: 'W',
    });
    expect(pushesOf(s, rtpNo)).toEqual([
      expect.objectContaining({
        rtpId: Number(rtpNo),
        RequestId: body.requestId,
        requestStatus: 'RJC',
        rejectReason: 'W',
      }),
    ]);
    const st = await rtpStatus(rtpNo);
    expect(st.status).toBe(202);
    expect(st.body).toMatchObject({
      code: '00',
      RTPId: rtpNo,
      billId,
      status: 'RJC',
      payerResponse: '01',
      rejectReason: 'W',
    });
    expect(st.body.PaymentReferenceID).toBeNull();

    // The bill paid anyway (another way): a rejected request to pay is not completed by it.
    await payAsFi(billId);
    await biller.waitFor((x) => x.advices.some((a) => a.billId === billId && a.outcome === 'ACK'), WAIT);
    await sleep(300);
    expect(pushesOf(biller.state(), rtpNo).map((p) => p.requestStatus)).toEqual(['RJC']);
    const [row] = await rtpRows(body.requestId);
    expect(row).toMatchObject({ status: 'RJC', payer_response: '01', reject_reason: 'W', payment_id: null });
  });

  it('refuses requests to pay it cannot route or that are not the biller’s, creating nothing', async () => {
    const billId = billIdOf(w);
    const check = async (
      body: Record<string, unknown> & { requestId: string },
      res: { status: number; body: Record<string, unknown> },
      status: number,
      expected: Record<string, unknown>,
    ) => {
      expect({ status: res.status, body: res.body }).toMatchObject({ status, body: expected });
      expect(await rtpRows(body.requestId)).toEqual([]);
    };

    // Type 00 naming a BIC no payer FI has.
    let b = rtpBody(billId, { payerFiDetails: { payerFIBIC: 'NOSUCHBIC1' } });
    await check(b, await postRtp(b), 422, { responseCode: '21', errorCode: 'P2G_PAYER_NOT_RESOLVED' });

    // Type 01 with an alias the account mapper does not know.
    b = rtpBody(billId, {
      requestType: '01',
      payerFiDetails: undefined,
      alias: { aliasType: '00', aliasId: functionalId() },
    });
    await check(b, await postRtp(b), 422, { responseCode: '21', errorCode: 'P2G_PAYER_NOT_RESOLVED' });

    // Type 01 with an alias whose institution is no payer FI linked for bill payment.
    const stray = functionalId();
    await registerAlias(stray, 'NOTLINKED1');
    b = rtpBody(billId, { requestType: '01', alias: { aliasType: '01', aliasId: stray } });
    await check(b, await postRtp(b), 422, { responseCode: '21', errorCode: 'P2G_PAYER_NOT_RESOLVED' });

    // A bill ID under another prefix.
    const foreign = `${w.prefix === '9999' ? '1000' : '9999'}ZZ${rid12()}`.slice(0, 16);
    b = rtpBody(foreign);
    await check(b, await postRtp(b), 400, { responseCode: '01', errorCode: 'VALIDATION_FAILED' });

    // No X-Callback-URL.
    b = rtpBody(billId);
    await check(b, await postRtp(b, { callbackUrl: null }), 400, {
      responseCode: '01',
      errorCode: 'VALIDATION_FAILED',
    });

    // A callback URL outside the biller's registered bases.
    b = rtpBody(billId);
    await check(b, await postRtp(b, { callbackUrl: 'http://127.0.0.1:9/elsewhere/rtpUpdate' }), 400, {
      errorCode: 'CALLBACK_URL_NOT_ALLOWED',
    });

    // A payer FI may not ask for payment (biller-only route).
    b = rtpBody(billId);
    await check(b, await postRtp(b, { caller: w.payerFi, billerId: null }), 403, {
      responseCode: '03',
      errorCode: 'FORBIDDEN',
    });

    // X-billerId naming another biller than the caller.
    b = rtpBody(billId);
    await check(b, await postRtp(b, { billerId: 'BLR999999' }), 403, { errorCode: 'FORBIDDEN' });
  });

  it('a repeated requestId with the same body is a replay (same RTPId, one RTP); with another body 409 04', async () => {
    const billId = billIdOf(w);
    addBill(billId);
    const { body, rtpNo } = await sendRtp(billId);

    const again = await postRtp(body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ responseCode: '00', RTPId: rtpNo, billId, status: 'PND' });
    expect(await rtpRows(body.requestId)).toHaveLength(1);

    const other = await postRtp({ ...body, billDetails: { ...body.billDetails, amount: 99000 } });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ responseCode: '04', errorCode: 'IDEMPOTENCY_KEY_REUSED' });
    // Another callback URL is another request too.
    const otherUrl = await postRtp(body, { callbackUrl: `${biller.url}/rtpUpdate?v=2` });
    expect(otherUrl.status).toBe(409);
    expect(otherUrl.body.responseCode).toBe('04');
    const rows = await rtpRows(body.requestId);
    expect(rows.map((r) => r.rtp_no)).toEqual([rtpNo]);
    // The replay sent nothing more to the payer FI.
    expect(await deliveriesOf('p2g.rtp.request', rtpNo)).toHaveLength(1);
  });

  it('payer FI answers: only to its own RTP (404 20); a contradicting second answer is refused (409 22)', async () => {
    const billId = billIdOf(w);
    addBill(billId);
    const { body, rtpNo } = await sendRtp(billId);

    const other = await linkOtherPayerFi();
    const notTheirs = await rtpResponse(other, {
      rtpId: Number(rtpNo),
      billId,
      rtpStatus: '01',
      rejectReason: 'R',
    });
    expect(notTheirs.status).toBe(404);
    expect(notTheirs.body).toMatchObject({ responseCode: '20', errorCode: 'P2G_RTP_NOT_FOUND' });
    expect((await rtpRows(body.requestId))[0]).toMatchObject({ status: 'PND', payer_response: null });

    const unknown = await rtpResponse(w.payerFi, { rtpId: 987654321012, rtpStatus: '00' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ responseCode: '20', errorCode: 'P2G_RTP_NOT_FOUND' });

    const wrongBill = await rtpResponse(w.payerFi, {
      rtpId: Number(rtpNo),
      billId: billIdOf(w),
      rtpStatus: '00',
    });
    expect(wrongBill.status).toBe(400);
    expect(wrongBill.body.responseCode).toBe('01');

    expect((await answerAsFi(rtpNo, billId, '00')).status).toBe(200);
    await biller.waitFor((s) => answersOf(s, rtpNo).length > 0, WAIT);

    const contradicting = await answerAsFi(rtpNo, billId, '01', 'R');
    expect(contradicting.status).toBe(409);
    expect(contradicting.body).toMatchObject({ responseCode: '22', errorCode: 'P2G_STATE_CONFLICT' });

    const same = await answerAsFi(rtpNo, billId, '00');
    expect(same.status).toBe(200);
    expect(same.body.responseCode).toBe('00');

    const st = await rtpStatus(rtpNo);
    expect(st.body).toMatchObject({ status: 'PND', payerResponse: '00' });
    expect((await rtpRows(body.requestId))[0]).toMatchObject({
      status: 'PND',
      payer_response: '00',
      reject_reason: null,
    });
    // The repeated answer was not relayed again; nothing was pushed.
    await sleep(500);
    expect(pushesOf(biller.state(), rtpNo)).toEqual([]);
    expect(answersOf(biller.state(), rtpNo)).toHaveLength(1);
    expect(await deliveriesOf('p2g.rtp.update', rtpNo)).toHaveLength(1);
  });

  it('status query: only the requesting biller sees its RTP (another biller 404 20); a payer FI gets 403', async () => {
    const billId = billIdOf(w);
    const { body, rtpNo } = await sendRtp(billId);

    const mine = await rtpStatus(rtpNo);
    expect(mine.status).toBe(202);
    expect(mine.body).toMatchObject({
      code: '00',
      RTPId: rtpNo,
      requestID: body.requestId,
      billId,
      status: 'PND',
      payerResponse: null,
      PaymentReferenceID: null,
    });

    const other = await onboardOtherBiller();
    const theirs = await rtpStatus(rtpNo, other.p, other.billerId);
    expect(theirs.status).toBe(404);
    expect(theirs.body).toMatchObject({ code: '20', errorCode: 'P2G_RTP_NOT_FOUND' });

    const unknown = await rtpStatus('987654321012');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: '20', errorCode: 'P2G_RTP_NOT_FOUND' });

    const wrongName = await rtpStatus(rtpNo, w.biller, other.billerId);
    expect(wrongName.status).toBe(403);

    const fromFi = await t.http().get(`/transferRequests/${rtpNo}`).set(as(w.payerFi));
    expect(fromFi.status).toBe(403);
    expect(fromFi.body.errorCode).toBe('FORBIDDEN');
  });

  it('expiry: an RTP past its time is expired by the sweeper, the biller gets an EXP push, status shows EXP', async () => {
    const billId = billIdOf(w);
    addBill(billId);
    const { body, rtpNo } = await sendRtp(billId);
    expect((await answerAsFi(rtpNo, billId, '00')).status).toBe(200);
    await biller.waitFor((s) => answersOf(s, rtpNo).length > 0, WAIT);

    // P2G_RTP_TTL_HOURS=1: it expires an hour after it was made.
    const [made] = await rtpRows(body.requestId);
    const ttl = made.expires_at.getTime() - made.created_at.getTime();
    expect(Math.abs(ttl - 3_600_000)).toBeLessThan(5_000);
    // Still pending after a few sweeps: the sweeper leaves an RTP within its time alone.
    await sleep(1_000);
    expect((await rtpRows(body.requestId))[0].status).toBe('PND');
    expect(pushesOf(biller.state(), rtpNo)).toEqual([]);

    await t.ds.query(
      `UPDATE rtp_requests SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1 AND rtp_no = $2`,
      [w.tenantId, rtpNo],
    );
    const s = await biller.waitFor((x) => pushesOf(x, rtpNo).some((p) => p.requestStatus === 'EXP'), WAIT);
    expect(pushesOf(s, rtpNo).find((p) => p.requestStatus === 'EXP')).toMatchObject({
      rtpId: Number(rtpNo),
      RequestId: body.requestId,
      billId,
      requestStatus: 'EXP',
    });
    // Expired by the sweeper in the database, not only shown so by the status query.
    expect((await rtpRows(body.requestId))[0].status).toBe('EXP');
    const st = await rtpStatus(rtpNo);
    expect(st.status).toBe(202);
    expect(st.body).toMatchObject({ code: '00', RTPId: rtpNo, billId, status: 'EXP' });

    // An expired RTP is not completed by a later payment, and is pushed EXP once only.
    await payAsFi(billId);
    await biller.waitFor((x) => x.advices.some((a) => a.billId === billId && a.outcome === 'ACK'), WAIT);
    await sleep(800);
    expect(pushesOf(biller.state(), rtpNo).map((p) => p.requestStatus)).toEqual(['EXP']);
    expect((await rtpRows(body.requestId))[0]).toMatchObject({ status: 'EXP', payment_id: null });
  });

  // ---------------------------------------------------------------- BBPS

  it('BBPS fetchBills by bill ID: the outstanding bill; an unknown bill: NO_OUTSTANDING', async () => {
    const billId = billIdOf(w);
    const due = dueIn(12);
    biller.addBill({ billId, dueDate: due, amountonDueDate: 123400 });
    const res = await fetchBills([{ identifierKey: 'billId', identifierValue: billId }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 0, success: true, data: { billFetchStatus: 'AVAILABLE' } });
    expect(res.body.data.customerBills.bills).toEqual([
      expect.objectContaining({
        billName: expect.any(String),
        billAmount: 123400,
        partnerBillId: billId,
        dueDate: due,
        amountExactness: 'EXACT',
        currency: 'KES',
      }),
    ]);

    const none = await fetchBills([{ identifierKey: 'billId', identifierValue: billIdOf(w) }]);
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({
      status: 0,
      success: true,
      data: { billFetchStatus: 'NO_OUTSTANDING', customerBills: { bills: [] } },
    });
  });

  it('BBPS fetchBills by customer identifiers: the bills the biller holds for that customer, with customer info', async () => {
    const customer = { consumerId: 'AY1234', name: 'Amina Yusuf', phoneNumber: '+254700123456' };
    const b1 = billIdOf(w);
    const b2 = billIdOf(w);
    const someoneElse = billIdOf(w);
    const paid = billIdOf(w);
    biller.addBill({
      billId: b1,
      dueDate: dueIn(5),
      amountonDueDate: 50000,
      customer,
      billName: 'Water March',
    });
    biller.addBill({
      billId: b2,
      dueDate: dueIn(35),
      amountonDueDate: 75000,
      customer,
      billName: 'Water April',
    });
    biller.addBill({
      billId: someoneElse,
      dueDate: dueIn(5),
      amountonDueDate: 1000,
      customer: { consumerId: 'ZZ9999', name: 'Other' },
    });
    biller.addBill({ billId: paid, dueDate: dueIn(5), amountonDueDate: 2000, customer, status: 'PAID' });

    const res = await fetchBills([{ identifierKey: 'consumerId', identifierValue: 'AY1234' }], w.billerId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 0, success: true, data: { billFetchStatus: 'AVAILABLE' } });
    const bills = res.body.data.customerBills.bills as Record<string, unknown>[];
    expect(bills.map((b) => b.partnerBillId).sort()).toEqual([b1, b2].sort());
    expect(bills.find((b) => b.partnerBillId === b1)).toMatchObject({
      billName: 'Water March',
      billAmount: 50000,
      amountExactness: 'EXACT',
      currency: 'KES',
    });
    expect(bills.find((b) => b.partnerBillId === b2)).toMatchObject({
      billName: 'Water April',
      billAmount: 75000,
    });
    expect(res.body.data.customer).toMatchObject({
      name: 'Amina Yusuf',
      info: { name: 'Amina Yusuf', phoneNumber: '+254700123456', consumerId: 'AY1234' },
    });

    // The biller can also be named as a billerId identifier.
    const inBody = await fetchBills([
      { identifierKey: 'billerId', identifierValue: w.billerId },
      { identifierKey: 'consumerId', identifierValue: 'AY1234' },
    ]);
    expect(inBody.status).toBe(200);
    expect(
      (inBody.body.data.customerBills.bills as { partnerBillId: string }[])
        .map((b) => b.partnerBillId)
        .sort(),
    ).toEqual([b1, b2].sort());

    const nobody = await fetchBills(
      [{ identifierKey: 'consumerId', identifierValue: 'NOBODY42' }],
      w.billerId,
    );
    expect(nobody.status).toBe(200);
    expect(nobody.body.data).toMatchObject({
      billFetchStatus: 'NO_OUTSTANDING',
      customerBills: { bills: [] },
    });
  });

  it('BBPS fetchBills refuses malformed requests in the BBPS error shape', async () => {
    const bad = async (body: unknown, billerId?: string) => {
      const res = await fetchBills(body, billerId);
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 400,
        body: { status: 1, success: false, error: { code: 'VALIDATION_FAILED' } },
      });
    };
    await bad({ identifierKey: 'billId', identifierValue: billIdOf(w) });
    await bad([]);
    await bad([{ identifierKey: 'bad key!', identifierValue: 'x' }], w.billerId);
    await bad([{ identifierKey: 'consumerId' }], w.billerId);
    await bad([{ identifierKey: 'consumerId', identifierValue: 'AY1234', extra: 1 }], w.billerId);
    // Neither a bill ID nor a biller named.
    await bad([{ identifierKey: 'consumerId', identifierValue: 'AY1234' }]);

    const unknownBiller = await fetchBills(
      [{ identifierKey: 'consumerId', identifierValue: 'AY1234' }],
      'BLR999999',
    );
    expect(unknownBiller.status).toBe(404);
    expect(unknownBiller.body).toMatchObject({
      status: 1,
      success: false,
      error: { code: 'P2G_UNKNOWN_BILLER' },
    });

    // The BBPS face is for the aggregator (a payer FI), not for billers.
    const asBiller = await t
      .http()
      .post('/bbps/bills/fetchBills')
      .set(as(w.biller))
      .send([{ identifierKey: 'billId', identifierValue: billIdOf(w) }]);
    expect(asBiller.status).toBe(403);
    expect(asBiller.body).toMatchObject({ status: 1, success: false });
  });

  it('BBPS fetchReceipt: records the payment once per transaction, advises the biller, then the bill is paid', async () => {
    const billId = billIdOf(w);
    addBill(billId);
    const listed = await fetchBills([{ identifierKey: 'billId', identifierValue: billId }]);
    expect(listed.body.data.billFetchStatus).toBe('AVAILABLE');

    const transactionId = `TXN${ref16()}`;
    const receiptBody = {
      systemBillId: 14,
      partnerBillId: billId,
      paymentDetails: { billAmount: 150000, amountPaid: 150000, transactionId },
    };
    const first = await fetchReceipt(receiptBody);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 0,
      success: true,
      data: { receipt: { id: expect.any(String) }, systemBillId: 14, partnerBillId: billId },
    });
    const receipt = first.body.data.receipt as { id: string; date: string };
    expect(receipt.id.length).toBeGreaterThan(0);
    expect(receipt.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Math.abs(Date.parse(receipt.date) - Date.now())).toBeLessThan(120_000);

    const again = await fetchReceipt(receiptBody);
    expect(again.status).toBe(200);
    expect(again.body.data.receipt).toEqual(receipt);

    const advised = await biller.waitFor(
      (s) => s.advices.some((a) => a.billId === billId && a.outcome === 'ACK'),
      WAIT,
    );
    const advices = advised.advices.filter((a) => a.billId === billId && !a.repeated);
    expect(advices).toHaveLength(1);
    expect(advices[0]).toMatchObject({ paymentReferenceId: transactionId, amount: 150000, outcome: 'ACK' });
    expect(advised.bills.find((b) => b.billId === billId)?.status).toBe('PAID');
    const payments = (await t.ds.query(
      `SELECT channel, transaction_id, amount::text AS amount FROM bill_payments WHERE tenant_id = $1 AND bill_id = $2`,
      [w.tenantId, billId],
    )) as { channel: string; transaction_id: string; amount: string }[];
    expect(payments).toEqual([{ channel: 'bbps', transaction_id: transactionId, amount: '150000' }]);

    // The same transaction ID with other details is not a replay.
    const reused = await fetchReceipt({
      ...receiptBody,
      paymentDetails: { ...receiptBody.paymentDetails, amountPaid: 140000 },
    });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({
      status: 1,
      success: false,
      error: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });

    // Another transaction for the fully paid EXACT bill.
    const second = await fetchReceipt({
      ...receiptBody,
      paymentDetails: { ...receiptBody.paymentDetails, transactionId: `TXN${ref16()}` },
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      status: 1,
      success: false,
      error: { code: 'P2G_BILL_ALREADY_PAID' },
    });

    const after = await fetchBills([{ identifierKey: 'billId', identifierValue: billId }]);
    expect(after.status).toBe(200);
    expect(after.body.data).toMatchObject({
      billFetchStatus: 'NO_OUTSTANDING',
      customerBills: { bills: [] },
    });
    const count = (await t.ds.query(
      `SELECT count(*)::int AS n FROM bill_payments WHERE tenant_id = $1 AND bill_id = $2`,
      [w.tenantId, billId],
    )) as { n: number }[];
    expect(count[0].n).toBe(1);
  });
});
