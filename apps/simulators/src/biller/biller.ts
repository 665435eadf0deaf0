import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, header, INVALID_JSON, parseJson, readBody } from '../payer-fsp/http-io';
import { AdviceDecision, BillStore } from './bill-store';
import type {
  AckCallback,
  BillerConfig,
  BillerOptions,
  BillerSimulator,
  BillerState,
  ReceivedAdvice,
  ReceivedRtpUpdate,
  SimBill,
  StoredBill,
} from './biller-types';
import {
  CONTROL_PREFIX,
  headerRecord,
  isRecord,
  listen,
  optionalString,
  Outbox,
  pushCapped,
  safeDecode,
  sendJson,
  signatureOk,
  SimLink,
  updateLink,
  Waiters,
} from './sim-kit';

export type * from './biller-types';

type Route = 'inquiry' | 'fetchBills' | 'advice' | 'rtpUpdate' | 'none';
type Answer = [status: number, body?: unknown];

const DOWN: Answer = [503, { responseCode: '01', reason: 'biller unavailable' }];
const BAD_SIGNATURE: Answer = [401, { responseCode: '01', reason: 'bad signature' }];
const CONFIG_KEYS = ['latencyMs', 'asyncAck', 'billerId'];

/**
 * A biller (a utility, a tax office) as the server sees it over plain node:http: bill inquiry, mark-bill-paid
 * advices applied at most once per payment reference (answered at once, or acknowledged later with asyncAck),
 * a customer lookup, and the RTP results the server relays. Bills, outages and latency are set through the
 * returned handle or the /_sim/ control endpoints.
 */
export async function startBillerSimulator(opts: BillerOptions = {}): Promise<BillerSimulator> {
  const {
    port = 0,
    host = '127.0.0.1',
    billerName = 'SimBiller',
    currency = 'KES',
    autoBillPrefix,
    log = () => undefined,
  } = opts;
  /** Who the simulator talks to, settable after start (`link`): the server's URL and the credentials it issued. */
  const link: SimLink = {
    secret: opts.secret,
    pbbApiKey: opts.pbbApiKey,
    tenantId: opts.tenantId,
    pbbUrl: opts.pbbUrl?.replace(/\/+$/, ''),
  };
  const config: BillerConfig = { latencyMs: 0, asyncAck: false };
  applyConfig(config, { latencyMs: opts.latencyMs, asyncAck: opts.asyncAck, billerId: opts.billerId });

  const store = new BillStore({ billerName, currency });
  const advices: ReceivedAdvice[] = [];
  const rtpUpdates: ReceivedRtpUpdate[] = [];
  const callbacks: AckCallback[] = [];
  let inquiries = 0;
  let down = false;
  let outbox = new Outbox();
  /** Bumped by reset(): acknowledgements started before it record nothing. */
  let generation = 0;
  const delayed = new Set<NodeJS.Timeout>();

  const state = (): BillerState => ({
    bills: store.list(),
    inquiries,
    advices: advices.map((a) => ({ ...a, headers: { ...a.headers } })),
    rtpUpdates: rtpUpdates.map((u) => ({ ...u, headers: { ...u.headers } })),
    callbacks: callbacks.map((c) => ({ ...c })),
    down,
  });
  const waiters = new Waiters<BillerState>(state, 'biller');

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(req, res, raw))
      .catch((err: unknown) => {
        if (err instanceof BodyTooLarge) return; // the request was destroyed; there is no one to answer.
        sendJson(res, 500, { responseCode: '01', reason: `simulator error: ${(err as Error).message}` });
      });
  });

  /** Answers after latencyMs; with 0, right away (no timer: the benchmark drives thousands of requests). */
  function answer(res: ServerResponse, [status, body]: Answer): void {
    if (config.latencyMs <= 0) return sendJson(res, status, body);
    const timer = setTimeout(() => {
      delayed.delete(timer);
      sendJson(res, status, body);
    }, config.latencyMs);
    timer.unref();
    delayed.add(timer);
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const method = req.method ?? 'GET';
    const rawPath = req.url ?? '/';
    const q = rawPath.indexOf('?');
    const path = q === -1 ? rawPath : rawPath.slice(0, q);
    if (path.startsWith(CONTROL_PREFIX)) return control(method, path, raw, res);

    const route = routeOf(method, path);
    if (route === 'none') return answer(res, [404, { responseCode: '01', reason: 'not a biller endpoint' }]);
    if (route === 'inquiry') inquiries += 1;
    if (down) {
      if (route === 'advice') recordDownAdvice(req, raw);
      waiters.notify();
      return answer(res, DOWN);
    }
    if (!signatureOk(link.secret, req, raw)) return answer(res, BAD_SIGNATURE);
    const body = parseJson(raw);
    if (body === INVALID_JSON)
      return answer(res, [400, { responseCode: '01', reason: 'the body is not JSON' }]);
    switch (route) {
      case 'inquiry':
        answer(res, inquiry(req, path));
        break;
      case 'fetchBills':
        answer(res, fetchBills(body));
        break;
      case 'advice':
        answer(res, advice(req, body));
        break;
      case 'rtpUpdate':
        answer(res, rtpUpdate(req, path, body));
        break;
    }
    waiters.notify();
  }

  function inquiry(req: IncomingMessage, path: string): Answer {
    const requestID = header(req, 'x-correlationid')?.slice(0, 12) ?? null;
    const billId = safeDecode(path.slice('/bills/'.length));
    const bill = billId ? store.get(billId, autoBillPrefix) : undefined;
    if (!bill) return [404, { code: '01', reason: 'Bill not found', requestID, billId: billId ?? null }];
    return [
      200,
      {
        code: '00',
        reason: 'OK',
        requestID,
        billId: bill.billId,
        billDetails: {
          billerId: config.billerId ?? null,
          billerName: bill.billerName,
          billStatus: bill.status,
          dueDate: bill.dueDate,
          amountonDueDate: bill.amountonDueDate,
          amountAfterDueDate: bill.amountAfterDueDate,
          currency: bill.currency,
          amountPaid: bill.amountPaid,
          billName: bill.billName ?? null,
          generatedDate: bill.generatedDate ?? null,
        },
      },
    ];
  }

  function fetchBills(body: unknown): Answer {
    if (!Array.isArray(body))
      return [400, { responseCode: '01', reason: 'send a list of {identifierKey, identifierValue}' }];
    const identifiers = body
      .filter(isRecord)
      .filter((i) => typeof i.identifierKey === 'string' && typeof i.identifierValue === 'string')
      .map((i) => ({ key: i.identifierKey as string, value: i.identifierValue as string }));
    const bills = store.find(identifiers);
    const customer = bills.find((b) => b.customer)?.customer;
    return [
      200,
      {
        bills: bills.map((b) => ({
          billId: b.billId,
          billName: b.billName ?? null,
          billStatus: b.status,
          dueDate: b.dueDate,
          generatedDate: b.generatedDate ?? null,
          amountonDueDate: b.amountonDueDate,
          amountAfterDueDate: b.amountAfterDueDate,
          currency: b.currency,
          amountPaid: b.amountPaid,
        })),
        customer: customer
          ? {
              name: customer.name ?? null,
              phoneNumber: customer.phoneNumber ?? null,
              consumerId: customer.consumerId ?? null,
            }
          : null,
      },
    ];
  }

  function advice(req: IncomingMessage, body: unknown): Answer {
    const b = isRecord(body) ? body : {};
    const requestID = optionalString(b.requestID) ?? optionalString(b.requestId) ?? null;
    const billId = optionalString(b.billId);
    const reference = optionalString(b.PaymentReferenceID) ?? optionalString(b.paymentReferenceId);
    if (!billId || !reference)
      return [400, { responseCode: '01', reason: 'billId and PaymentReferenceID are required', requestID }];
    if (b.amount !== undefined && (!Number.isSafeInteger(b.amount) || (b.amount as number) <= 0))
      return [
        400,
        { responseCode: '01', reason: 'amount must be a positive integer (minor units)', requestID },
      ];
    if (b.currency !== undefined && typeof b.currency !== 'string')
      return [400, { responseCode: '01', reason: 'currency must be a string', requestID }];
    const amount = b.amount as number | undefined;
    const adviceCurrency = b.currency as string | undefined;

    const decision = store.advise(billId, reference, amount, adviceCurrency, autoBillPrefix);
    const [status, syncBody] = adviceAnswer(decision, requestID);
    const outcome = syncBody.status as 'ACK' | 'RJC';
    const rejectReason = syncBody.rejectReason as string | undefined;
    if (decision.kind === 'applied') store.rememberAck(billId, reference, syncBody);
    pushCapped(advices, {
      billId,
      paymentReferenceId: reference,
      requestId: requestID,
      ...(amount !== undefined ? { amount } : {}),
      ...(adviceCurrency !== undefined ? { currency: adviceCurrency } : {}),
      outcome,
      ...(rejectReason ? { rejectReason } : {}),
      ...(decision.kind === 'repeat' ? { repeated: true } : {}),
      headers: headerRecord(req),
    });
    log(adviceLine(decision, billId, reference));

    if (!config.asyncAck) return [status, syncBody];
    const ack = {
      requestId: requestID,
      billId,
      paymentReferenceId: reference,
      status: outcome,
      ...(rejectReason ? { rejectReason } : {}),
    };
    const correlationId = header(req, 'x-correlationid');
    const gen = generation;
    outbox.later(config.latencyMs, () => void sendAck(ack, correlationId, gen));
    return [202, { responseCode: '00', reason: 'Accepted', requestID }];
  }

  function adviceAnswer(
    decision: AdviceDecision,
    requestID: string | null,
  ): [number, Record<string, unknown>] {
    const rjc = (reason: string, rejectReason: string): [number, Record<string, unknown>] => [
      200,
      { responseCode: '01', reason, requestID, status: 'RJC', rejectReason },
    ];
    switch (decision.kind) {
      case 'unknown':
        return rjc('Unknown bill', 'Und');
      case 'dup':
        return rjc('Bill already paid', 'Dup');
      case 'currency':
        return rjc(`The bill is in ${decision.bill.currency}`, 'Cur');
      case 'repeat':
        return [202, decision.ack];
      case 'applied':
        return [202, { responseCode: '00', reason: 'Marked paid', requestID, status: 'ACK' }];
    }
  }

  function recordDownAdvice(req: IncomingMessage, raw: string): void {
    const parsed = parseJson(raw);
    const b = isRecord(parsed) ? parsed : {};
    pushCapped(advices, {
      billId: optionalString(b.billId) ?? null,
      paymentReferenceId:
        optionalString(b.PaymentReferenceID) ?? optionalString(b.paymentReferenceId) ?? null,
      requestId: optionalString(b.requestID) ?? optionalString(b.requestId) ?? null,
      ...(typeof b.amount === 'number' ? { amount: b.amount } : {}),
      ...(typeof b.currency === 'string' ? { currency: b.currency } : {}),
      outcome: 'DOWN',
      headers: headerRecord(req),
    });
  }

  async function sendAck(
    ack: Omit<AckCallback, 'httpStatus' | 'attempts' | 'error'>,
    correlationId: string | undefined,
    gen: number,
  ): Promise<void> {
    if (!link.pbbUrl) {
      log(`asyncAck: no pbbUrl, acknowledgement of bill ${ack.billId} (${ack.status}) not sent`);
      pushCapped(callbacks, { ...ack, httpStatus: null, attempts: 0, error: 'no pbbUrl' });
      return waiters.notify();
    }
    const result = await outbox.send(
      'POST',
      `${link.pbbUrl}/billTransferRequests`,
      {
        'X-API-Key': link.pbbApiKey,
        'X-Platform-TenantId': link.tenantId,
        'X-CorrelationID': correlationId,
        'X-billerId': config.billerId,
      },
      ack,
    );
    if (gen !== generation) return;
    if (result.error)
      log(
        `asyncAck of bill ${ack.billId} ref ${ack.paymentReferenceId} (${ack.status}) failed after ` +
          `${result.attempts} attempts: ${result.error}`,
      );
    pushCapped(callbacks, {
      ...ack,
      httpStatus: result.status,
      attempts: result.attempts,
      ...(result.error ? { error: result.error } : {}),
    });
    waiters.notify();
  }

  function rtpUpdate(req: IncomingMessage, path: string, body: unknown): Answer {
    pushCapped(rtpUpdates, { path, body, headers: headerRecord(req) });
    const b = isRecord(body) ? body : {};
    const requestID =
      optionalString(b.requestID) ??
      optionalString(b.requestId) ??
      optionalString(b.RequestId) ??
      header(req, 'x-correlationid') ??
      null;
    return [200, { responseCode: '00', responseDescription: 'Received', requestID }];
  }

  function addBill(bill: SimBill): void {
    store.put(store.normalize(bill));
    waiters.notify();
  }

  function configure(c: Partial<BillerConfig>): void {
    applyConfig(config, c);
    waiters.notify();
  }

  function reset(): void {
    generation += 1;
    outbox.stop();
    outbox = new Outbox();
    store.clear();
    advices.length = 0;
    rtpUpdates.length = 0;
    callbacks.length = 0;
    inquiries = 0;
    waiters.notify();
  }

  function setDown(d: boolean): void {
    down = d;
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
            billerName,
            currency,
            autoBillPrefix: autoBillPrefix ?? null,
            pbbUrl: link.pbbUrl ?? null,
            pbbApiKey: link.pbbApiKey ? '(set)' : null,
            tenantId: link.tenantId ?? null,
            signatureCheck: link.secret !== undefined,
          },
        });
      if (path === '/_sim/state' && method === 'DELETE') {
        reset();
        return sendJson(res, 204);
      }
      if (path === '/_sim/bills' && method === 'POST') {
        const list = Array.isArray(body) ? (body as unknown[]) : [body];
        const bills = list.map((b, i) => {
          try {
            return store.normalize(b);
          } catch (err) {
            if (err instanceof RangeError && Array.isArray(body))
              throw new RangeError(`[${i}]: ${err.message} (no bill was added)`);
            throw err;
          }
        });
        store.put(...bills);
        waiters.notify();
        return sendJson(res, 201, { added: bills.length, bills: store.size });
      }
      if (path === '/_sim/down' && method === 'POST') {
        const d = (body as { down?: unknown } | undefined)?.down;
        if (typeof d !== 'boolean') return sendJson(res, 400, { error: 'send {"down": true|false}' });
        setDown(d);
        return sendJson(res, 200, { down });
      }
      if (path === '/_sim/config' && method === 'POST') {
        if (!isRecord(body)) return sendJson(res, 400, { error: 'send an object of settings' });
        const unknown = Object.keys(body).filter((k) => !CONFIG_KEYS.includes(k));
        if (unknown.length) return sendJson(res, 400, { error: `unknown settings: ${unknown.join(', ')}` });
        configure(body as Partial<BillerConfig>);
        return sendJson(res, 200, { ...config, billerId: config.billerId ?? null });
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
    addBill,
    setDown,
    configure,
    state,
    reset,
    waitFor: (pred, timeoutMs) => waiters.wait(pred, timeoutMs),
    close: () => {
      generation += 1;
      waiters.closeAll();
      outbox.stop();
      for (const t of delayed) clearTimeout(t);
      delayed.clear();
      if (!server.listening) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function routeOf(method: string, path: string): Route {
  if (method === 'POST') {
    if (path === '/billTransferRequests') return 'advice';
    if (path === '/bills/fetchBills') return 'fetchBills';
    if (path === '/rtpUpdate' || (path.startsWith('/transferRequests/') && path.length > 18))
      return 'rtpUpdate';
    return 'none';
  }
  if (method === 'GET' && path.startsWith('/bills/') && path.length > 7 && !path.includes('/', 7))
    return 'inquiry';
  return 'none';
}

/** Checks every value before changing anything; `null` for billerId unsets it. */
function applyConfig(config: BillerConfig, c: Partial<BillerConfig> | Record<string, unknown>): void {
  const { latencyMs, asyncAck, billerId } = c as Record<string, unknown>;
  if (latencyMs !== undefined && (!Number.isSafeInteger(latencyMs) || (latencyMs as number) < 0))
    throw new RangeError('latencyMs must be a non-negative integer');
  if (asyncAck !== undefined && typeof asyncAck !== 'boolean')
    throw new RangeError('asyncAck must be true or false');
  if (billerId !== undefined && billerId !== null && typeof billerId !== 'string')
    throw new RangeError('billerId must be a string');
  if (latencyMs !== undefined) config.latencyMs = latencyMs as number;
  if (asyncAck !== undefined) config.asyncAck = asyncAck;
  if (billerId === null || billerId === '') delete config.billerId;
  else if (billerId !== undefined) config.billerId = billerId as string;
}

function adviceLine(decision: AdviceDecision, billId: string, reference: string): string {
  const head = `advice for bill ${billId} ref ${reference}`;
  switch (decision.kind) {
    case 'unknown':
      return `${head}: RJC Und (unknown bill)`;
    case 'dup':
      return `${head}: RJC Dup (already paid)`;
    case 'currency':
      return `${head}: RJC Cur (the bill is in ${decision.bill.currency})`;
    case 'repeat':
      return `${head}: ACK again (already applied, nothing added)`;
    case 'applied':
      return `${head}: ACK ${decision.amount}, ${progress(decision.bill)}`;
  }
}

function progress(bill: StoredBill): string {
  return `${bill.status} ${bill.amountPaid}/${bill.amountonDueDate}`;
}
