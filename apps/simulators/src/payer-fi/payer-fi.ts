import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import {
  CONTROL_PREFIX,
  headerRecord,
  isRecord,
  listen,
  newId,
  optionalString,
  Outbox,
  pushCapped,
  sendJson,
  signatureOk,
  Waiters,
  SimLink,
  updateLink,
} from '../biller/sim-kit';
import { BodyTooLarge, header, INVALID_JSON, parseJson, readBody } from '../payer-fsp/http-io';
import type {
  PayerFiConfig,
  PayerFiOptions,
  PayerFiSimulator,
  PayerFiState,
  ReceivedRequest,
  SentRtpResponse,
  SimPayment,
} from './payer-fi-types';

export type * from './payer-fi-types';

type Answer = [status: number, body?: unknown];

const CONFIG_KEYS: (keyof PayerFiConfig)[] = ['decision', 'rejectReason', 'payOnAccept', 'respondDelayMs'];

/** What one request to pay needs to be answered, taken when it arrives. */
interface RtpJob {
  txnId: string;
  rtpId: string;
  billId: string;
  correlationId?: string;
  billerId?: string;
  config: PayerFiConfig;
}

/**
 * A payer bank or wallet over plain node:http: it receives requests to pay from the server, answers each with
 * an accept or a reject (`POST ${pbbUrl}/rtpResponse`), optionally pays an accepted one (bill inquiry, then
 * bill transfer request), and records the server's final payment notifications.
 */
export async function startPayerFi(opts: PayerFiOptions = {}): Promise<PayerFiSimulator> {
  const { port = 0, host = '127.0.0.1', log = () => undefined } = opts;
  /** Who the simulator talks to, settable after start (`link`): the server's URL and the credentials it issued. */
  const link: SimLink = {
    secret: opts.secret,
    pbbApiKey: opts.pbbApiKey,
    tenantId: opts.tenantId,
    payerFiId: opts.payerFiId,
    pbbUrl: opts.pbbUrl?.replace(/\/+$/, ''),
  };
  const config: PayerFiConfig = {
    decision: 'accept',
    rejectReason: 'R',
    payOnAccept: false,
    respondDelayMs: 0,
  };
  applyConfig(config, {
    decision: opts.decision,
    rejectReason: opts.rejectReason,
    payOnAccept: opts.payOnAccept,
    respondDelayMs: opts.respondDelayMs,
  });

  const rtps: ReceivedRequest[] = [];
  const responsesSent: SentRtpResponse[] = [];
  const payments: SimPayment[] = [];
  const notifications: ReceivedRequest[] = [];
  let down = false;
  let outbox = new Outbox();
  /** Bumped by reset(): work started before it records nothing. */
  let generation = 0;

  const state = (): PayerFiState => ({
    rtps: rtps.map((r) => ({ ...r, headers: { ...r.headers } })),
    responsesSent: responsesSent.map((r) => ({ ...r })),
    payments: payments.map((p) => ({ ...p })),
    notifications: notifications.map((n) => ({ ...n, headers: { ...n.headers } })),
    down,
  });
  const waiters = new Waiters<PayerFiState>(state, 'payer FI');

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(req, res, raw))
      .catch((err: unknown) => {
        if (err instanceof BodyTooLarge) return; // the request was destroyed; there is no one to answer.
        sendJson(res, 500, { responseCode: '01', reason: `simulator error: ${(err as Error).message}` });
      });
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path.startsWith(CONTROL_PREFIX)) return control(method, path, raw, res);
    const route =
      method === 'POST' && path === '/rtpRequest'
        ? 'rtp'
        : method === 'POST' && path === '/billTransferRequests'
          ? 'notification'
          : undefined;
    if (!route) return sendJson(res, 404, { responseCode: '01', reason: 'not a payer FI endpoint' });
    if (down) return sendJson(res, 503, { responseCode: '01', reason: 'payer FI unavailable' });
    if (!signatureOk(link.secret, req, raw))
      return sendJson(res, 401, { responseCode: '01', reason: 'bad signature' });
    const body = parseJson(raw);
    if (body === INVALID_JSON)
      return sendJson(res, 400, { responseCode: '01', reason: 'the body is not JSON' });
    const [status, answer] = route === 'rtp' ? rtpRequest(req, body) : notification(req, body);
    sendJson(res, status, answer);
    waiters.notify();
  }

  function rtpRequest(req: IncomingMessage, body: unknown): Answer {
    const b = isRecord(body) ? body : {};
    const details = isRecord(b.billDetails) ? b.billDetails : {};
    const txnId = optionalString(b.TxnID);
    // The YAML types rTPID as an integer; a string is taken too.
    const rtpId =
      typeof b.rTPID === 'number' && Number.isSafeInteger(b.rTPID)
        ? String(b.rTPID)
        : optionalString(b.rTPID);
    const billId = optionalString(details['Bill ID']);
    if (!txnId || !rtpId || !billId)
      return [
        400,
        {
          responseCode: '01',
          responseDescription: 'TxnID, rTPID and billDetails["Bill ID"] are required',
          requestID: txnId ?? null,
        },
      ];
    pushCapped(rtps, { body, headers: headerRecord(req) });
    const job: RtpJob = {
      txnId,
      rtpId,
      billId,
      correlationId: header(req, 'x-correlationid'),
      billerId: header(req, 'x-billerid'),
      config: { ...config },
    };
    log(`request to pay ${rtpId} for bill ${billId}: will ${job.config.decision}`);
    const gen = generation;
    outbox.later(config.respondDelayMs, () => void respond(job, gen));
    return [200, { responseCode: '00', responseDescription: 'RTP received', requestID: txnId }];
  }

  /** The headers of every request to the server. */
  function serverHeaders(correlationId: string | undefined, billerId: string | undefined) {
    return {
      'X-API-Key': link.pbbApiKey,
      'X-Platform-TenantId': link.tenantId,
      'X-CorrelationID': correlationId,
      'X-billerId': billerId,
      'X-PayerFI-Id': link.payerFiId,
    };
  }

  async function respond(job: RtpJob, gen: number): Promise<void> {
    const accept = job.config.decision === 'accept';
    const rtpStatus = accept ? '00' : '01';
    const sent = { rtpId: job.rtpId, billId: job.billId, rtpStatus } as const;
    if (!link.pbbUrl) {
      log(`no pbbUrl: the answer to request to pay ${job.rtpId} was not sent`);
      pushCapped(responsesSent, { ...sent, httpStatus: null, attempts: 0, error: 'no pbbUrl' });
      return waiters.notify();
    }
    const result = await outbox.send(
      'POST',
      `${link.pbbUrl}/rtpResponse`,
      serverHeaders(job.correlationId, job.billerId),
      {
        RequestId: newId(12),
        txnId: job.txnId,
        rtpId: /^[0-9]{1,15}$/.test(job.rtpId) ? Number(job.rtpId) : job.rtpId,
        billId: job.billId,
        rtpStatus,
        rejectReason: accept ? null : job.config.rejectReason,
      },
    );
    if (gen !== generation) return;
    pushCapped(responsesSent, {
      ...sent,
      httpStatus: result.status,
      attempts: result.attempts,
      ...(result.error ? { error: result.error } : {}),
    });
    log(
      `answered request to pay ${job.rtpId} with ${accept ? 'accept' : 'reject'}: ` +
        (result.error
          ? `failed after ${result.attempts} attempts (${result.error})`
          : `HTTP ${result.status}`),
    );
    waiters.notify();
    if (accept && job.config.payOnAccept) await pay(job, link.pbbUrl, gen);
  }

  async function pay(job: RtpJob, base: string, gen: number): Promise<void> {
    const inquiryRequestId = newId(12);
    const payment: SimPayment = {
      billId: job.billId,
      inquiryStatus: null,
      paymentStatus: null,
      paymentReferenceID: newId(16),
      inquiryRequestId,
    };
    const inquiry = await outbox.send(
      'GET',
      `${base}/bills/${encodeURIComponent(job.billId)}?fields=inquiry`,
      serverHeaders(inquiryRequestId, job.billerId),
    );
    if (gen !== generation) return;
    payment.inquiryStatus = inquiry.status;
    if (inquiry.error) {
      payment.error = `inquiry: ${inquiry.error}`;
    } else {
      const answer = isRecord(inquiry.body) ? inquiry.body : {};
      payment.billInquiryRequestId =
        optionalString(answer.RequestID) ?? optionalString(answer.requestId) ?? inquiryRequestId;
      payment.requestId = newId(12);
      const paid = await outbox.send(
        'POST',
        `${base}/billTransferRequests`,
        serverHeaders(newId(12), job.billerId),
        {
          requestId: payment.requestId,
          billInquiryRequestId: payment.billInquiryRequestId,
          billId: job.billId,
          paymentReferenceID: payment.paymentReferenceID,
        },
      );
      if (gen !== generation) return;
      payment.paymentStatus = paid.status;
      if (paid.error) payment.error = `payment: ${paid.error}`;
    }
    pushCapped(payments, payment);
    log(
      `payment of bill ${job.billId} ref ${payment.paymentReferenceID}: inquiry ${payment.inquiryStatus ?? '-'}, ` +
        `payment ${payment.paymentStatus ?? '-'}${payment.error ? ` (${payment.error})` : ''}`,
    );
    waiters.notify();
  }

  function notification(req: IncomingMessage, body: unknown): Answer {
    pushCapped(notifications, { body, headers: headerRecord(req) });
    const b = isRecord(body) ? body : {};
    const requestID = optionalString(b.requestId) ?? optionalString(b.requestID) ?? null;
    log(
      `payment notification for bill ${optionalString(b.billId) ?? '?'}: ${optionalString(b.status) ?? '?'}` +
        (optionalString(b.rejectReason) ? ` (${b.rejectReason as string})` : ''),
    );
    return [200, { respCode: '00', reason: 'Received', requestID }];
  }

  function configure(c: Partial<PayerFiConfig>): void {
    applyConfig(config, c);
    waiters.notify();
  }

  function setDown(d: boolean): void {
    down = d;
    waiters.notify();
  }

  function reset(): void {
    generation += 1;
    outbox.stop();
    outbox = new Outbox();
    rtps.length = 0;
    responsesSent.length = 0;
    payments.length = 0;
    notifications.length = 0;
    waiters.notify();
  }

  function control(method: string, path: string, raw: string, res: ServerResponse): void {
    const body = parseJson(raw);
    if (method === 'POST' && body === INVALID_JSON)
      return sendJson(res, 400, { error: 'the body is not JSON' });
    try {
      if (path === '/_sim/state' && method === 'GET')
        return sendJson(res, 200, {
          ...state(),
          config: {
            ...config,
            pbbUrl: link.pbbUrl ?? null,
            pbbApiKey: link.pbbApiKey ? '(set)' : null,
            tenantId: link.tenantId ?? null,
            payerFiId: link.payerFiId ?? null,
            signatureCheck: link.secret !== undefined,
          },
        });
      if (path === '/_sim/state' && method === 'DELETE') {
        reset();
        return sendJson(res, 204);
      }
      if (path === '/_sim/down' && method === 'POST') {
        const d = (body as { down?: unknown } | undefined)?.down;
        if (typeof d !== 'boolean') return sendJson(res, 400, { error: 'send {"down": true|false}' });
        setDown(d);
        return sendJson(res, 200, { down });
      }
      if (path === '/_sim/config' && method === 'POST') {
        if (!isRecord(body)) return sendJson(res, 400, { error: 'send an object of settings' });
        const unknown = Object.keys(body).filter((k) => !(CONFIG_KEYS as string[]).includes(k));
        if (unknown.length) return sendJson(res, 400, { error: `unknown settings: ${unknown.join(', ')}` });
        configure(body as Partial<PayerFiConfig>);
        return sendJson(res, 200, config);
      }
    } catch (err) {
      if (err instanceof RangeError) return sendJson(res, 400, { error: err.message });
      throw err;
    }
    sendJson(res, 404, { error: 'unknown simulator control endpoint' });
  }

  const url = await listen(server, port, host);
  return {
    url,
    link: (c) => updateLink(link, c),
    setDown,
    configure,
    state,
    reset,
    waitFor: (pred, timeoutMs) => waiters.wait(pred, timeoutMs),
    close: () => {
      generation += 1;
      waiters.closeAll();
      outbox.stop();
      if (!server.listening) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** Checks every value before changing anything. */
function applyConfig(config: PayerFiConfig, c: Partial<PayerFiConfig>): void {
  const { decision, rejectReason, payOnAccept, respondDelayMs } = c as Record<string, unknown>;
  if (decision !== undefined && decision !== 'accept' && decision !== 'reject')
    throw new RangeError('decision must be accept or reject');
  if (rejectReason !== undefined && (typeof rejectReason !== 'string' || rejectReason === ''))
    throw new RangeError('rejectReason must be a non-empty string');
  if (payOnAccept !== undefined && typeof payOnAccept !== 'boolean')
    throw new RangeError('payOnAccept must be true or false');
  if (
    respondDelayMs !== undefined &&
    (!Number.isSafeInteger(respondDelayMs) || (respondDelayMs as number) < 0)
  )
    throw new RangeError('respondDelayMs must be a non-negative integer');
  if (decision !== undefined) config.decision = decision;
  if (rejectReason !== undefined) config.rejectReason = rejectReason;
  if (payOnAccept !== undefined) config.payOnAccept = payOnAccept;
  if (respondDelayMs !== undefined) config.respondDelayMs = respondDelayMs as number;
}
