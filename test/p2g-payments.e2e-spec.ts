import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { Response } from 'supertest';
import { signCallback } from '@app/callbacks';
import { LedgerService } from '@app/ledger';
import {
  type BillerOptions,
  BillerSimulator,
  startBillerSimulator,
} from '../apps/simulators/src/biller/biller';
import { PayerFiSimulator, type PayerFiState, startPayerFi } from '../apps/simulators/src/payer-fi/payer-fi';
import { PayerFspSimulator, startPayerFsp } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { as } from './support/bulk-fixtures';
import { createParticipant, TestParticipant } from './support/factories';
import {
  bicOf,
  billIdOf,
  createP2gWorld,
  dueIn,
  linkSimulators,
  listenUrl,
  P2gWorld,
  P2gWorldOptions,
  ref16,
  rid12,
} from './support/p2g-fixtures';
import { createTestApp, TestApp } from './support/test-app';
import {
  activeVoucher,
  createVoucherWorld,
  eventually,
  statusCheck,
  VoucherWorld,
  voucherRow,
} from './support/voucher-fixtures';

/** Quick store-and-forward, so that retries and sweeps happen within a test. */
const ENV = {
  P2G_ADVICE_BACKOFF_BASE_MS: '50',
  P2G_ADVICE_BACKOFF_MAX_MS: '200',
  P2G_SWEEP_INTERVAL_MS: '300',
};

const SETTLEMENT = {
  bankCode: 'CBKEKENX',
  accountNumber: '0011223344',
  accountName: 'City Water Collections',
};

const today = () => new Date().toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/* ----------------------------------------------------------------------------------------------------------------
 * Helpers (local to this file)
 * -------------------------------------------------------------------------------------------------------------- */

/** Everything that has to be closed at the end of a describe block. */
class Closer {
  private readonly items: { close(): Promise<void> }[] = [];
  add<T extends { close(): Promise<void> }>(x: T): T {
    this.items.push(x);
    return x;
  }
  async closeAll(): Promise<void> {
    for (const x of this.items.splice(0).reverse()) await x.close().catch(() => undefined);
  }
}

interface Rig {
  w: P2gWorld;
  biller: BillerSimulator;
  fi: PayerFiSimulator;
}

/** A fresh tenant (createP2gWorld) with its own biller and payer FI simulators, linked to the server. */
async function rig(
  t: TestApp,
  pbbUrl: string,
  closer: Closer,
  o: Partial<P2gWorldOptions> = {},
  sim: BillerOptions = {},
): Promise<Rig> {
  const biller = closer.add(await startBillerSimulator(sim));
  const fi = closer.add(await startPayerFi());
  const w = await createP2gWorld(t, { billerUrl: biller.url, payerFiUrl: fi.url, ...o });
  linkSimulators(w, pbbUrl, biller, fi);
  return { w, biller, fi };
}

interface Tenant {
  tenantId: string;
  operator: TestParticipant;
  checker: TestParticipant;
}

interface OnboardedBiller {
  billerId: string;
  prefix: string;
  sim: BillerSimulator;
  participant: TestParticipant;
}

function onboard(
  t: TestApp,
  tn: Tenant,
  baseUrl: string,
  o: { rules?: Record<string, unknown>; currencies?: string[]; timeoutMs?: number; shortName?: string } = {},
) {
  return t
    .http()
    .post('/p2g/billers')
    .set(as(tn.operator))
    .send({
      name: 'County Revenue Office',
      shortName: o.shortName ?? 'County',
      kind: 'biller',
      baseUrl,
      timeoutMs: o.timeoutMs ?? 1000,
      currencies: o.currencies ?? ['KES'],
      settlementAccount: SETTLEMENT,
      rules: o.rules ?? { amountExactness: 'EXACT' },
    });
}

/** Onboards (maker), approves (checker) and links another biller of the tenant, with its own simulator. */
async function addBiller(
  t: TestApp,
  pbbUrl: string,
  closer: Closer,
  tn: Tenant,
  o: Parameters<typeof onboard>[3] = {},
  sim: BillerOptions = {},
): Promise<OnboardedBiller> {
  const s = closer.add(await startBillerSimulator(sim));
  const res = await onboard(t, tn, s.url, o);
  if (res.status !== 201) throw new Error(`onboard: ${res.status} ${JSON.stringify(res.body)}`);
  const { biller, credentials } = res.body;
  const ok = await t.http().post(`/p2g/billers/${biller.billerId}/approve`).set(as(tn.checker)).send({});
  if (ok.status !== 201) throw new Error(`approve: ${ok.status} ${JSON.stringify(ok.body)}`);
  s.configure({ billerId: biller.billerId });
  s.link({
    pbbUrl,
    pbbApiKey: credentials.apiKey,
    tenantId: tn.tenantId,
    secret: credentials.callbackSecret,
  });
  return {
    billerId: biller.billerId,
    prefix: biller.prefix,
    sim: s,
    participant: {
      id: biller.participantId,
      code: biller.billerId,
      tenantId: tn.tenantId,
      ...credentials,
    },
  };
}

/** A payer FI linked in the tenant, with its credentials. */
async function addPayerFi(t: TestApp, tn: Tenant, baseUrl: string): Promise<TestParticipant> {
  const bic = bicOf();
  const res = await t
    .http()
    .post('/p2g/payer-fis')
    .set(as(tn.operator))
    .send({ code: bic, name: 'Other Bank', bic, baseUrl });
  if (res.status !== 201) throw new Error(`payer FI: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.payerFi.participantId, code: bic, tenantId: tn.tenantId, ...res.body.credentials };
}

let seq = 0;
/** A bill ID under a prefix, unique in the run (4 + 16 characters at most). */
const billUnder = (prefix: string) =>
  `${prefix}${Date.now().toString(36).toUpperCase()}${(seq++).toString(36).toUpperCase()}`.slice(0, 20);

function inquire(t: TestApp, fi: TestParticipant, billId: string, requestId = rid12(), named = fi.code) {
  return t
    .http()
    .get(`/bills/${billId}?fields=inquiry&requestId=${requestId}`)
    .set(as(fi))
    .set('X-PayerFI-Id', named);
}

/** Inquires and returns the inquiry's RequestID (the inquiry must succeed). */
async function inquiryId(t: TestApp, fi: TestParticipant, billId: string): Promise<string> {
  const res = await inquire(t, fi, billId);
  if (res.status !== 202) throw new Error(`inquiry: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.RequestID as string;
}

function payBody(billId: string, inquiry: string, extra: Record<string, unknown> = {}) {
  return {
    requestId: rid12(),
    billInquiryRequestId: inquiry,
    billId,
    paymentReferenceID: ref16(),
    ...extra,
  };
}

function pay(t: TestApp, fi: TestParticipant, body: Record<string, unknown>) {
  return t.http().post('/billTransferRequests').set(as(fi)).send(body);
}

/** The P2G error body: `{ code, responseCode, reason, requestID, errorCode }`. */
function expectP2gError(
  res: Response,
  status: number,
  responseCode: string,
  errorCode: string,
  requestID?: string,
) {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { code: responseCode, responseCode, reason: expect.any(String), errorCode },
  });
  expect(res.body).toHaveProperty('requestID');
  if (requestID !== undefined) expect(res.body.requestID).toBe(requestID);
}

interface AdviceView {
  paymentId: string;
  receiptNumber: string;
  billId: string;
  paymentReference: string;
  amount: string;
  status: string;
  rejectReason: string | null;
  adviceStatus: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

async function advices(t: TestApp, operator: TestParticipant, status?: string): Promise<AdviceView[]> {
  const res = await t
    .http()
    .get(`/p2g/advices${status ? `?status=${status}` : ''}`)
    .set(as(operator));
  expect(res.status).toBe(200);
  return res.body as AdviceView[];
}

async function adviceOf(t: TestApp, operator: TestParticipant, ref: string): Promise<AdviceView | undefined> {
  return (await advices(t, operator)).find((a) => a.paymentReference === ref);
}

/** Waits until the payment's advice is in one of `statuses`. */
function adviceSettled(t: TestApp, operator: TestParticipant, ref: string, statuses: string[]) {
  return eventually(
    async () => {
      const a = await adviceOf(t, operator, ref);
      return a && statuses.includes(a.adviceStatus) ? a : undefined;
    },
    `advice of ${ref} to be ${statuses.join('/')}`,
    15_000,
  );
}

const notesFor = (s: PayerFiState, billId: string) =>
  s.notifications.map((n) => n.body as Record<string, unknown>).filter((b) => b.billId === billId);

async function ledgerAccount(t: TestApp, tenantId: string, code: string) {
  const rows = (await t.ds.query(
    `SELECT id, debits_posted::text AS d, credits_posted::text AS c FROM ledger_accounts WHERE tenant_id = $1 AND code = $2`,
    [tenantId, code],
  )) as { id: string; d: string; c: string }[];
  return rows[0] ? { id: rows[0].id, debits: BigInt(rows[0].d), credits: BigInt(rows[0].c) } : undefined;
}

/** Ledger transfers naming the tenant's payments of a bill, by code. */
async function postingsOfBill(t: TestApp, tenantId: string, billId: string) {
  return (await t.ds.query(
    `SELECT lt.code, lt.amount::text AS amount, p.transaction_id AS ref FROM ledger_transfers lt
     JOIN bill_payments p ON p.id::text = lt.reference_id
     WHERE lt.tenant_id = $1 AND lt.reference_type = 'bill_payment' AND p.tenant_id = $1 AND p.bill_id = $2
     ORDER BY lt.created_at, lt.code`,
    [tenantId, billId],
  )) as { code: string; amount: string; ref: string }[];
}

async function paymentRows(t: TestApp, tenantId: string, billId: string) {
  return (await t.ds.query(
    `SELECT transaction_id AS ref, amount::text AS amount, status, advice_status, receipt_no FROM bill_payments
     WHERE tenant_id = $1 AND bill_id = $2 ORDER BY created_at`,
    [tenantId, billId],
  )) as { ref: string; amount: string; status: string; advice_status: string; receipt_no: string }[];
}

/** Marks a bill paid at the biller simulator directly (as if paid through another channel), signed as it wants. */
async function payAtBiller(sim: BillerSimulator, secret: string, billId: string, reference: string) {
  const body = JSON.stringify({ requestID: rid12(), billId, PaymentReferenceID: reference });
  const res = await fetch(`${sim.url}/billTransferRequests`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Signature': signCallback(secret, Math.floor(Date.now() / 1000), body),
    },
    body,
  });
  expect(res.status).toBe(202);
  expect(await res.json()).toMatchObject({ status: 'ACK' });
}

/**
 * A proxy that holds every request until opened, then forwards it to the server: lets a test see the state between
 * the biller's 202 and its asynchronous acknowledgement.
 */
interface Gate {
  url: string;
  held(): number;
  open(): void;
  close(): Promise<void>;
}

async function startGate(target: string): Promise<Gate> {
  let release!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  let held = 0;
  const forward = async (req: IncomingMessage, body: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
    return fetch(`${target}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body: body.length ? body : undefined,
    });
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      held += 1;
      opened
        .then(() => forward(req, Buffer.concat(chunks)))
        .then(async (r) => {
          const text = await r.text();
          res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        })
        .catch((err: Error) => {
          res.writeHead(502).end(err.message);
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('gate: no address');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    held: () => held,
    open: () => release(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/* ----------------------------------------------------------------------------------------------------------------
 * One server for most areas; every area has its own tenant (world) so their states do not mix.
 * -------------------------------------------------------------------------------------------------------------- */

describe('P2G payments (e2e)', () => {
  let t: TestApp;
  let pbbUrl: string;
  const closer = new Closer();

  beforeAll(async () => {
    t = await createTestApp(ENV);
    pbbUrl = await listenUrl(t);
  });

  afterAll(async () => {
    await closer.closeAll();
    await t?.close();
  });

  /* ---------------------------------------------------------------------------------------------------------- */
  describe('biller registry: maker-checker, prefixes, export, suspension', () => {
    let r: Rig;
    let second: {
      billerId: string;
      prefix: string;
      sim: BillerSimulator;
      credentials: Record<string, string>;
    };

    beforeAll(async () => {
      r = await rig(t, pbbUrl, closer);
    });

    it('onboarding is pending approval with a BLR biller ID and a four-digit prefix; the maker cannot approve, a pending biller is unknown to inquiry, the checker approves', async () => {
      expect(r.w.billerId).toMatch(/^BLR\d{6}$/);
      expect(r.w.prefix).toMatch(/^\d{4}$/);

      const sim = closer.add(await startBillerSimulator());
      const res = await onboard(t, r.w, sim.url, { shortName: 'Second' });
      expect(res.status).toBe(201);
      const b = res.body.biller;
      expect(b).toMatchObject({ status: 'pending_approval', shortName: 'Second' });
      expect(b.billerId).toMatch(/^BLR\d{6}$/);
      expect(b.billerId).not.toBe(r.w.billerId);
      expect(b.prefix).toMatch(/^\d{4}$/);
      expect(b.prefix).not.toBe(r.w.prefix);
      expect(res.body.credentials).toMatchObject({
        apiKey: expect.any(String),
        callbackSecret: expect.any(String),
      });
      second = { billerId: b.billerId, prefix: b.prefix, sim, credentials: res.body.credentials };
      sim.configure({ billerId: b.billerId });
      sim.link({
        pbbUrl,
        pbbApiKey: second.credentials.apiKey,
        tenantId: r.w.tenantId,
        secret: second.credentials.callbackSecret,
      });

      // A pending biller's bills are not routed.
      const billId = billUnder(b.prefix);
      sim.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 5000 });
      const pending = await inquire(t, r.w.payerFi, billId);
      expectP2gError(pending, 404, '10', 'P2G_UNKNOWN_BILLER');
      expect(sim.state().inquiries).toBe(0);
      // ... and not exported to payer FIs.
      const exp = await t.http().get('/p2g/billers/export').set(as(r.w.payerFi));
      expect(exp.status).toBe(200);
      expect(exp.body.billers.map((x: { billerId: string }) => x.billerId)).not.toContain(b.billerId);

      const byMaker = await t
        .http()
        .post(`/p2g/billers/${b.billerId}/approve`)
        .set(as(r.w.operator))
        .send({});
      expect(byMaker.status).toBe(403);
      expect(byMaker.body.error.code).toBe('MAKER_CANNOT_APPROVE');
      const still = await t.http().get(`/p2g/billers/${b.billerId}`).set(as(r.w.operator));
      expect(still.body.status).toBe('pending_approval');

      const byChecker = await t
        .http()
        .post(`/p2g/billers/${b.billerId}/approve`)
        .set(as(r.w.checker))
        .send({ reason: 'documents checked' });
      expect(byChecker.status).toBe(201);
      expect(byChecker.body).toMatchObject({
        status: 'active',
        decidedBy: r.w.checker.id,
        decisionReason: 'documents checked',
      });

      // Approval drops the cached "pending" answer at once.
      const ok = await inquire(t, r.w.payerFi, billId);
      expect(ok.status).toBe(202);
      expect(ok.body.billDetails[0]).toMatchObject({ billerId: b.billerId, billerName: 'Second' });

      // A decided biller cannot be decided again.
      const again = await t.http().post(`/p2g/billers/${b.billerId}/approve`).set(as(r.w.checker)).send({});
      expect(again.status).toBe(409);
    });

    it('export lists the active billers with prefix and settlement account (JSON and CSV), not pending ones', async () => {
      const sim = closer.add(await startBillerSimulator());
      const pending = await onboard(t, r.w, sim.url, { shortName: 'Pending' });
      expect(pending.status).toBe(201);
      const pendingId = pending.body.biller.billerId as string;

      const json = await t.http().get('/p2g/billers/export').set(as(r.w.payerFi));
      expect(json.status).toBe(200);
      const rows = json.body.billers as Record<string, unknown>[];
      expect(rows.map((x) => x.billerId).sort()).toEqual([r.w.billerId, second.billerId].sort());
      expect(rows.find((x) => x.billerId === r.w.billerId)).toMatchObject({
        prefix: r.w.prefix,
        billerName: 'CityWater',
        currencies: ['KES'],
        amountExactness: 'EXACT',
        settlementBankCode: SETTLEMENT.bankCode,
        settlementAccount: SETTLEMENT.accountNumber,
        settlementAccountName: SETTLEMENT.accountName,
      });
      expect(rows.find((x) => x.billerId === second.billerId)).toMatchObject({ prefix: second.prefix });

      const csv = await t.http().get('/p2g/billers/export?format=csv').set(as(r.w.payerFi));
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const lines = csv.text.trim().split(/\r?\n/);
      const header = lines[0].split(',');
      expect(header).toEqual(expect.arrayContaining(['billerId', 'prefix', 'settlementAccount']));
      expect(lines).toHaveLength(3);
      const line = lines.find((l) => l.includes(r.w.billerId))!;
      const cells = line.split(',');
      expect(cells[header.indexOf('prefix')]).toBe(r.w.prefix);
      expect(cells[header.indexOf('settlementAccount')]).toBe(SETTLEMENT.accountNumber);
      expect(csv.text).not.toContain(pendingId);

      // Not for payer FIs only: a biller cannot read it (no p2g:pay).
      const asBiller = await t.http().get('/p2g/billers/export').set(as(r.w.biller));
      expect(asBiller.status).toBe(403);
    });

    it('a suspended biller is unknown to inquiry and payment at once; reactivated, it answers again', async () => {
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 20000 });
      const before = await inquiryId(t, r.w.payerFi, billId);

      const sus = await t
        .http()
        .patch(`/p2g/billers/${r.w.billerId}`)
        .set(as(r.w.operator))
        .send({ status: 'suspended' });
      expect(sus.status).toBe(200);
      expect(sus.body.status).toBe('suspended');

      const inquiries = r.biller.state().inquiries;
      const rid = rid12();
      expectP2gError(await inquire(t, r.w.payerFi, billId, rid), 404, '10', 'P2G_UNKNOWN_BILLER', rid);
      expect(r.biller.state().inquiries).toBe(inquiries);
      // A payment on the inquiry made before the suspension is refused too.
      expectP2gError(await pay(t, r.w.payerFi, payBody(billId, before)), 404, '10', 'P2G_UNKNOWN_BILLER');
      const exp = await t.http().get('/p2g/billers/export').set(as(r.w.payerFi));
      expect(exp.body.billers.map((x: { billerId: string }) => x.billerId)).toEqual([second.billerId]);

      const back = await t
        .http()
        .patch(`/p2g/billers/${r.w.billerId}`)
        .set(as(r.w.operator))
        .send({ status: 'active' });
      expect(back.status).toBe(200);
      expect((await inquire(t, r.w.payerFi, billId)).status).toBe(202);
    });
  });

  /* ---------------------------------------------------------------------------------------------------------- */
  describe('inquiry errors in the P2G error shape', () => {
    let r: Rig;
    beforeAll(async () => {
      r = await rig(t, pbbUrl, closer);
    });
    afterEach(() => r.biller.setDown(false));

    it('unknown prefix: 404, responseCode 10', async () => {
      const rid = rid12();
      const res = await inquire(t, r.w.payerFi, '9998ABCDEF', rid);
      expectP2gError(res, 404, '10', 'P2G_UNKNOWN_BILLER', rid);
    });

    it('bill not found at the biller: 404, responseCode 12', async () => {
      const rid = rid12();
      const res = await inquire(t, r.w.payerFi, billIdOf(r.w), rid);
      expectP2gError(res, 404, '12', 'P2G_BILL_NOT_FOUND', rid);
      expect(r.biller.state().inquiries).toBeGreaterThan(0);
    });

    it('biller down: 502, responseCode 11', async () => {
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 1000 });
      r.biller.setDown(true);
      const res = await inquire(t, r.w.payerFi, billId);
      expectP2gError(res, 502, '11', 'P2G_BILLER_UNAVAILABLE');
      r.biller.setDown(false);
      expect((await inquire(t, r.w.payerFi, billId)).status).toBe(202);
    });

    it('biller slower than its timeout: 504, responseCode 11', async () => {
      const slow = await addBiller(t, pbbUrl, closer, r.w, { timeoutMs: 300, shortName: 'Slow' });
      const billId = billUnder(slow.prefix);
      slow.sim.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 1000 });
      slow.sim.configure({ latencyMs: 900 });
      const started = Date.now();
      const res = await inquire(t, r.w.payerFi, billId);
      expectP2gError(res, 504, '11', 'P2G_BILLER_UNAVAILABLE');
      expect(res.body.reason).toMatch(/300 ms/);
      expect(Date.now() - started).toBeLessThan(900);
      slow.sim.configure({ latencyMs: 0 });
      expect((await inquire(t, r.w.payerFi, billId)).status).toBe(202);
    });

    it('an FSP that is not a linked payer FI: 403, responseCode 16', async () => {
      const plain = await createParticipant(t, { tenantId: r.w.tenantId, kind: 'fsp' });
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 1000 });
      const res = await inquire(t, plain, billId);
      expectP2gError(res, 403, '16', 'P2G_PAYER_FI_NOT_REGISTERED');
      const payRes = await pay(t, plain, payBody(billId, rid12()));
      expectP2gError(payRes, 403, '16', 'P2G_PAYER_FI_NOT_REGISTERED');
    });

    it('X-PayerFI-Id naming another FI: 403', async () => {
      const other = await addPayerFi(t, r.w, r.fi.url);
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 1000 });
      const res = await inquire(t, r.w.payerFi, billId, rid12(), other.code);
      expectP2gError(res, 403, '03', 'FORBIDDEN');
      // Each FI under its own name is fine.
      expect((await inquire(t, other, billId)).status).toBe(202);
      expect((await inquire(t, r.w.payerFi, billId)).status).toBe(202);
    });
  });

  /* ---------------------------------------------------------------------------------------------------------- */
  describe('store-and-forward: the biller is down for a while', () => {
    let r: Rig;
    beforeAll(async () => {
      r = await rig(t, pbbUrl, closer);
    });

    it('the payment is recorded at once, the advice retried while the biller is down and delivered exactly once after', async () => {
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 150000 });
      const inq = await inquiryId(t, r.w.payerFi, billId);
      r.biller.setDown(true);

      const body = payBody(billId, inq);
      const ref = body.paymentReferenceID;
      const started = Date.now();
      const res = await pay(t, r.w.payerFi, body);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        responseCode: '00',
        billId,
        paymentReferenceID: ref,
        amount: 150000,
        paymentStatus: 'RECORDED',
      });
      expect(Date.now() - started).toBeLessThan(2000);

      const downs = await r.biller.waitFor(
        (s) => s.advices.filter((a) => a.paymentReferenceId === ref && a.outcome === 'DOWN').length >= 2,
      );
      const tries = downs.advices.filter((a) => a.paymentReferenceId === ref);
      expect(tries.every((a) => a.outcome === 'DOWN')).toBe(true);
      // Every attempt is the same advice: same request ID (the receipt), same reference, same amount.
      expect(new Set(tries.map((a) => a.requestId))).toEqual(new Set([res.body.receiptNumber]));
      expect(tries.every((a) => a.amount === 150000 && a.billId === billId)).toBe(true);

      const pending = (await advices(t, r.w.operator, 'pending')).find((a) => a.paymentReference === ref);
      expect(pending).toMatchObject({
        adviceStatus: 'pending',
        status: 'recorded',
        receiptNumber: res.body.receiptNumber,
        lastStatusCode: 503,
        lastError: expect.stringMatching(/503/),
      });
      expect(pending!.attempts).toBeGreaterThan(0);
      expect(notesFor(r.fi.state(), billId)).toHaveLength(0);

      r.biller.setDown(false);
      await r.biller.waitFor((s) =>
        s.advices.some((a) => a.paymentReferenceId === ref && a.outcome === 'ACK'),
      );
      await r.fi.waitFor((s) => notesFor(s, billId).length > 0);
      // Several sweeps later, nothing was sent again.
      await sleep(1200);

      const all = r.biller.state().advices.filter((a) => a.paymentReferenceId === ref);
      const acks = all.filter((a) => a.outcome === 'ACK');
      expect(acks).toHaveLength(1);
      expect(acks[0].repeated).toBeUndefined();
      expect(all.slice(all.indexOf(acks[0]) + 1)).toEqual([]);
      const bill = r.biller.state().bills.find((b) => b.billId === billId)!;
      expect(bill).toMatchObject({ status: 'PAID', amountPaid: 150000, paidReferences: [ref] });

      const notes = notesFor(r.fi.state(), billId);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({
        status: 'ACK',
        receiptNumber: res.body.receiptNumber,
        paymentReferenceID: ref,
      });

      const done = await adviceOf(t, r.w.operator, ref);
      expect(done).toMatchObject({ adviceStatus: 'acknowledged', status: 'completed', lastError: null });
      expect(await postingsOfBill(t, r.w.tenantId, billId)).toEqual([
        { code: 'bill.payment', amount: '150000', ref },
      ]);
    });
  });

  /* ---------------------------------------------------------------------------------------------------------- */
  describe('biller answers: asynchronous ACK, already paid, RJC', () => {
    it('asyncAck: the advice is accepted, then acknowledged when the biller posts ACK; the payer FI is told', async () => {
      const r = await rig(t, pbbUrl, closer);
      const gate = closer.add(await startGate(pbbUrl));
      r.biller.link({ pbbUrl: gate.url });
      r.biller.configure({ asyncAck: true });

      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 42000 });
      const body = payBody(billId, await inquiryId(t, r.w.payerFi, billId));
      const ref = body.paymentReferenceID;
      const res = await pay(t, r.w.payerFi, body);
      expect(res.status).toBe(202);

      const accepted = await adviceSettled(t, r.w.operator, ref, ['accepted', 'acknowledged']);
      expect(accepted).toMatchObject({ adviceStatus: 'accepted', status: 'recorded' });
      // The biller's acknowledgement is on its way, held at the gate.
      await eventually(async () => gate.held() === 1, 'the acknowledgement to reach the gate');
      expect(notesFor(r.fi.state(), billId)).toHaveLength(0);

      gate.open();
      const cb = await r.biller.waitFor((s) => s.callbacks.some((c) => c.paymentReferenceId === ref));
      expect(cb.callbacks.find((c) => c.paymentReferenceId === ref)).toMatchObject({
        status: 'ACK',
        requestId: res.body.receiptNumber,
        httpStatus: 202,
      });
      const done = await adviceSettled(t, r.w.operator, ref, ['acknowledged']);
      expect(done.status).toBe('completed');
      const told = await r.fi.waitFor((s) => notesFor(s, billId).length > 0);
      expect(notesFor(told, billId)).toEqual([
        expect.objectContaining({ status: 'ACK', receiptNumber: res.body.receiptNumber }),
      ]);
      // The biller's status of an advice that is not its own is refused.
      const stray = await t
        .http()
        .post('/billTransferRequests')
        .set(as(r.w.biller))
        .send({ requestId: 'R99999999999', billId, status: 'ACK' });
      expect(stray.status).toBe(404);
    });

    it('a bill the biller reports PAID is shown PAID and its payment refused: 409, responseCode 13', async () => {
      const r = await rig(t, pbbUrl, closer);
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 30000, status: 'PAID' });
      const inq = await inquire(t, r.w.payerFi, billId);
      expect(inq.status).toBe(202);
      expect(inq.body.billDetails[0]).toMatchObject({ billStatus: 'PAID' });
      const res = await pay(t, r.w.payerFi, payBody(billId, inq.body.RequestID));
      expectP2gError(res, 409, '13', 'P2G_BILL_ALREADY_PAID');
      expect(await paymentRows(t, r.w.tenantId, billId)).toEqual([]);
      expect(r.biller.state().advices).toHaveLength(0);
    });

    it('RJC (paid at the biller meanwhile under another reference): the ledger is reversed, the payer FI told RJC, the bill payable again', async () => {
      const r = await rig(t, pbbUrl, closer);
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 60000 });
      const inq = await inquiryId(t, r.w.payerFi, billId);
      await payAtBiller(r.biller, r.w.biller.callbackSecret, billId, 'ELSEWHERE01');

      const body = payBody(billId, inq);
      const ref = body.paymentReferenceID;
      const res = await pay(t, r.w.payerFi, body);
      expect(res.status).toBe(202);
      const rejected = await adviceSettled(t, r.w.operator, ref, ['rejected', 'acknowledged']);
      expect(rejected).toMatchObject({ adviceStatus: 'rejected', status: 'rejected', rejectReason: 'Dup' });
      expect(r.biller.state().advices.filter((a) => a.paymentReferenceId === ref)).toEqual([
        expect.objectContaining({ outcome: 'RJC', rejectReason: 'Dup' }),
      ]);

      const billerAcc = await ledgerAccount(t, r.w.tenantId, `p2g:biller:${r.w.billerId}:KES`);
      const fiAcc = await ledgerAccount(t, r.w.tenantId, `p2g:payerfi:${r.w.payerFi.code}:KES`);
      expect(billerAcc).toMatchObject({ debits: 60000n, credits: 60000n });
      expect(fiAcc).toMatchObject({ debits: 60000n, credits: 60000n });
      expect((await postingsOfBill(t, r.w.tenantId, billId)).map((p) => p.code).sort()).toEqual([
        'bill.payment',
        'bill.payment.reversal',
      ]);

      const told = await r.fi.waitFor((s) => notesFor(s, billId).length > 0);
      expect(notesFor(told, billId)).toEqual([
        expect.objectContaining({
          status: 'RJC',
          rejectReason: 'Dup',
          receiptNumber: res.body.receiptNumber,
        }),
      ]);

      // The other payment is refunded at the biller: the bill can be paid again through the server.
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 60000 });
      const again = await inquire(t, r.w.payerFi, billId);
      expect(again.status).toBe(202);
      expect(again.body.billDetails[0]).toMatchObject({
        billStatus: 'UNPAID',
        amountPaid: 0,
        amountPayable: 60000,
      });
      const body2 = payBody(billId, again.body.RequestID);
      const res2 = await pay(t, r.w.payerFi, body2);
      expect(res2.status).toBe(202);
      expect(res2.body.receiptNumber).not.toBe(res.body.receiptNumber);
      await adviceSettled(t, r.w.operator, body2.paymentReferenceID, ['acknowledged']);
      expect(await ledgerAccount(t, r.w.tenantId, `p2g:biller:${r.w.billerId}:KES`)).toMatchObject({
        debits: 60000n,
        credits: 120000n,
      });
    });
  });

  /* ---------------------------------------------------------------------------------------------------------- */
  describe('amount rules and currency', () => {
    let r: Rig;
    let partial: OnboardedBiller;
    let up: OnboardedBiller;
    let down: OnboardedBiller;

    beforeAll(async () => {
      r = await rig(t, pbbUrl, closer, { rules: { amountExactness: 'EXACT' } });
      partial = await addBiller(t, pbbUrl, closer, r.w, {
        rules: { amountExactness: 'EXACT', partialPayment: true, minAmount: 20000 },
      });
      up = await addBiller(t, pbbUrl, closer, r.w, { rules: { amountExactness: 'EXACT_UP' } });
      down = await addBiller(t, pbbUrl, closer, r.w, { rules: { amountExactness: 'EXACT_DOWN' } });
    });

    const bill = (sim: BillerSimulator, prefix: string, amount = 100000, due = dueIn(10), after?: number) => {
      const billId = billUnder(prefix);
      sim.addBill({ billId, dueDate: due, amountonDueDate: amount, amountAfterDueDate: after });
      return billId;
    };

    it('EXACT refuses less and more (422, responseCode 14) and takes the amount due', async () => {
      const billId = bill(r.biller, r.w.prefix);
      const inq = await inquiryId(t, r.w.payerFi, billId);
      for (const amount of [99999, 100001]) {
        const res = await pay(t, r.w.payerFi, payBody(billId, inq, { amount }));
        expectP2gError(res, 422, '14', 'P2G_AMOUNT_NOT_ALLOWED');
      }
      const ok = await pay(t, r.w.payerFi, payBody(billId, inq, { amount: 100000 }));
      expect(ok.status).toBe(202);
      expect(ok.body.amount).toBe(100000);
      expect(await paymentRows(t, r.w.tenantId, billId)).toHaveLength(1);
    });

    it('EXACT with partialPayment and minAmount: a part below the minimum is refused, a part above it and then the rest are taken', async () => {
      const billId = bill(partial.sim, partial.prefix);
      const inq = await inquiryId(t, r.w.payerFi, billId);
      expectP2gError(
        await pay(t, r.w.payerFi, payBody(billId, inq, { amount: 10000 })),
        422,
        '14',
        'P2G_AMOUNT_NOT_ALLOWED',
      );
      const part = payBody(billId, inq, { amount: 30000 });
      const first = await pay(t, r.w.payerFi, part);
      expect(first.status).toBe(202);
      expect(first.body.amount).toBe(30000);
      await adviceSettled(t, r.w.operator, part.paymentReferenceID, ['acknowledged']);

      const seen = await inquire(t, r.w.payerFi, billId);
      expect(seen.status).toBe(202);
      expect(seen.body.billDetails[0]).toMatchObject({ amountPaid: 30000, amountPayable: 70000 });
      // More than what is left is refused (EXACT).
      expectP2gError(
        await pay(t, r.w.payerFi, payBody(billId, seen.body.RequestID, { amount: 70001 })),
        422,
        '14',
        'P2G_AMOUNT_NOT_ALLOWED',
      );
      const rest = payBody(billId, seen.body.RequestID);
      const second = await pay(t, r.w.payerFi, rest);
      expect(second.status).toBe(202);
      expect(second.body.amount).toBe(70000);
      await adviceSettled(t, r.w.operator, rest.paymentReferenceID, ['acknowledged']);
      expect(partial.sim.state().bills.find((b) => b.billId === billId)).toMatchObject({
        status: 'PAID',
        amountPaid: 100000,
      });
      // Nothing left to pay.
      const after = await inquire(t, r.w.payerFi, billId);
      expect(after.body.billDetails[0]).toMatchObject({ billStatus: 'PAID', amountPayable: 0 });
      expectP2gError(
        await pay(t, r.w.payerFi, payBody(billId, after.body.RequestID)),
        409,
        '13',
        'P2G_BILL_ALREADY_PAID',
      );
    });

    it('EXACT_UP takes more, but not less', async () => {
      const billId = bill(up.sim, up.prefix);
      const inq = await inquiryId(t, r.w.payerFi, billId);
      expectP2gError(
        await pay(t, r.w.payerFi, payBody(billId, inq, { amount: 90000 })),
        422,
        '14',
        'P2G_AMOUNT_NOT_ALLOWED',
      );
      const body = payBody(billId, inq, { amount: 120000 });
      const res = await pay(t, r.w.payerFi, body);
      expect(res.status).toBe(202);
      expect(res.body.amount).toBe(120000);
      await adviceSettled(t, r.w.operator, body.paymentReferenceID, ['acknowledged']);
      expect(
        up.sim.state().advices.find((a) => a.paymentReferenceId === body.paymentReferenceID),
      ).toMatchObject({ amount: 120000, outcome: 'ACK' });
    });

    it('EXACT_DOWN refuses more, takes less', async () => {
      const billId = bill(down.sim, down.prefix);
      const inq = await inquiryId(t, r.w.payerFi, billId);
      expectP2gError(
        await pay(t, r.w.payerFi, payBody(billId, inq, { amount: 100001 })),
        422,
        '14',
        'P2G_AMOUNT_NOT_ALLOWED',
      );
      const res = await pay(t, r.w.payerFi, payBody(billId, inq, { amount: 40000 }));
      expect(res.status).toBe(202);
      expect(res.body.amount).toBe(40000);
    });

    it('past the due date the after-due amount is what is charged', async () => {
      const billId = bill(r.biller, r.w.prefix, 100000, dueIn(-1), 105000);
      const inq = await inquire(t, r.w.payerFi, billId);
      expect(inq.status).toBe(202);
      expect(inq.body.billDetails[0]).toMatchObject({
        amountonDueDate: 100000,
        amountAfterDueDate: 105000,
        amountPayable: 105000,
      });
      // The on-due amount is now too little for an EXACT biller.
      expectP2gError(
        await pay(t, r.w.payerFi, payBody(billId, inq.body.RequestID, { amount: 100000 })),
        422,
        '14',
        'P2G_AMOUNT_NOT_ALLOWED',
      );
      const body = payBody(billId, inq.body.RequestID);
      const res = await pay(t, r.w.payerFi, body);
      expect(res.status).toBe(202);
      expect(res.body.amount).toBe(105000);
      await adviceSettled(t, r.w.operator, body.paymentReferenceID, ['acknowledged']);
      expect(r.biller.state().bills.find((b) => b.billId === billId)).toMatchObject({
        status: 'PAID',
        amountPaid: 105000,
      });
    });

    it("another currency than the bill's: 422, responseCode 15", async () => {
      const billId = bill(r.biller, r.w.prefix);
      const inq = await inquiryId(t, r.w.payerFi, billId);
      const res = await pay(t, r.w.payerFi, payBody(billId, inq, { currency: 'USD' }));
      expectP2gError(res, 422, '15', 'P2G_CURRENCY_MISMATCH');
      expect(await paymentRows(t, r.w.tenantId, billId)).toEqual([]);
    });
  });

  /* ---------------------------------------------------------------------------------------------------------- */
  describe('idempotency', () => {
    let r: Rig;
    beforeAll(async () => {
      r = await rig(t, pbbUrl, closer);
    });

    it('the same reference and body again: 202 with the same receipt, one ledger posting, one advice', async () => {
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 77000 });
      const body = payBody(billId, await inquiryId(t, r.w.payerFi, billId));
      const first = await pay(t, r.w.payerFi, body);
      expect(first.status).toBe(202);
      await adviceSettled(t, r.w.operator, body.paymentReferenceID, ['acknowledged']);
      const second = await pay(t, r.w.payerFi, body);
      expect(second.status).toBe(202);
      expect(second.body).toMatchObject({
        receiptNumber: first.body.receiptNumber,
        amount: 77000,
        paymentStatus: 'ACK',
        reason: 'Payment already recorded',
      });
      expect(await postingsOfBill(t, r.w.tenantId, billId)).toEqual([
        { code: 'bill.payment', amount: '77000', ref: body.paymentReferenceID },
      ]);
      await sleep(500);
      expect(r.biller.state().advices.filter((a) => a.billId === billId)).toHaveLength(1);
    });

    it('the same reference with another body: 409, responseCode 04, IDEMPOTENCY_KEY_REUSED', async () => {
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 5000 });
      const body = payBody(billId, await inquiryId(t, r.w.payerFi, billId));
      expect((await pay(t, r.w.payerFi, body)).status).toBe(202);
      const other = { ...body, requestId: rid12() };
      const res = await pay(t, r.w.payerFi, other);
      expectP2gError(res, 409, '04', 'IDEMPOTENCY_KEY_REUSED', other.requestId);
      expect(await paymentRows(t, r.w.tenantId, billId)).toHaveLength(1);
    });

    it('an unknown billInquiryRequestId: 404, responseCode 17', async () => {
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 5000 });
      const res = await pay(t, r.w.payerFi, payBody(billId, 'NOSUCHINQ01'));
      expectP2gError(res, 404, '17', 'P2G_INQUIRY_NOT_FOUND');
      // An inquiry of another bill does not do either.
      const otherBill = billIdOf(r.w);
      r.biller.addBill({ billId: otherBill, dueDate: dueIn(10), amountonDueDate: 5000 });
      const otherInq = await inquiryId(t, r.w.payerFi, otherBill);
      expectP2gError(
        await pay(t, r.w.payerFi, payBody(billId, otherInq)),
        404,
        '17',
        'P2G_INQUIRY_NOT_FOUND',
      );
      expect(await paymentRows(t, r.w.tenantId, billId)).toEqual([]);
    });
  });

  /* ---------------------------------------------------------------------------------------------------------- */
  describe('concurrency', () => {
    let r: Rig;
    beforeAll(async () => {
      r = await rig(t, pbbUrl, closer);
    });

    it('two payments of one EXACT bill at once: one 202, one 409 already paid, one ledger posting', async () => {
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 88000 });
      const inq = await inquiryId(t, r.w.payerFi, billId);
      const answers = await Promise.all([
        pay(t, r.w.payerFi, payBody(billId, inq)),
        pay(t, r.w.payerFi, payBody(billId, inq)),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
      expectP2gError(
        answers.find((a) => a.status === 409)!,
        409,
        '13',
        'P2G_BILL_ALREADY_PAID',
      );
      const winner = answers.find((a) => a.status === 202)!;
      expect(await postingsOfBill(t, r.w.tenantId, billId)).toEqual([
        { code: 'bill.payment', amount: '88000', ref: winner.body.paymentReferenceID },
      ]);
      expect(await ledgerAccount(t, r.w.tenantId, `p2g:biller:${r.w.billerId}:KES`)).toMatchObject({
        credits: 88000n,
      });
    });

    it('the same request five times at once: all 202 with one receipt, one posting, one advice ACK', async () => {
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 12000 });
      const body = payBody(billId, await inquiryId(t, r.w.payerFi, billId));
      const answers = await Promise.all(Array.from({ length: 5 }, () => pay(t, r.w.payerFi, body)));
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
      expect(new Set(answers.map((a) => a.body.receiptNumber)).size).toBe(1);
      expect(await postingsOfBill(t, r.w.tenantId, billId)).toEqual([
        { code: 'bill.payment', amount: '12000', ref: body.paymentReferenceID },
      ]);
      await adviceSettled(t, r.w.operator, body.paymentReferenceID, ['acknowledged']);
      await sleep(700);
      const sent = r.biller.state().advices.filter((a) => a.billId === billId);
      expect(sent).toEqual([
        expect.objectContaining({ outcome: 'ACK', paymentReferenceId: body.paymentReferenceID }),
      ]);
      expect(sent[0].repeated).toBeUndefined();
      expect(notesFor(r.fi.state(), billId)).toHaveLength(1);
    });
  });

  /* ---------------------------------------------------------------------------------------------------------- */
  describe('a bill paid with a voucher', () => {
    let fsp: PayerFspSimulator;
    let vw: VoucherWorld;
    let sim: OnboardedBiller;
    let payerFi: TestParticipant;
    let fiSim: PayerFiSimulator;

    beforeAll(async () => {
      fsp = closer.add(await startPayerFsp({ port: 0 }));
      fiSim = closer.add(await startPayerFi());
      vw = await createVoucherWorld(t, fsp, { stock: 5 });
      // The P2G side in the voucher world's tenant (TZS).
      sim = await addBiller(
        t,
        pbbUrl,
        closer,
        vw,
        { currencies: ['TZS'], rules: { amountExactness: 'EXACT_DOWN' }, shortName: 'TzWater' },
        { currency: 'TZS' },
      );
      payerFi = await addPayerFi(t, vw, fiSim.url);
    });

    const voucherPay = (billId: string, inquiry: string, number: string, requestId = rid12()) =>
      t
        .http()
        .post('/voucherRedemption')
        .set(as(payerFi))
        .set('X-PayerFI-Id', payerFi.code)
        .send({ requestId, billInquiryRequestId: inquiry, billId, VoucherSecretHash: number });

    it('pays the bill with the voucher value: voucher consumed, liability debited, biller credited; once only', async () => {
      const v = await activeVoucher(t, vw);
      const billId = billUnder(sim.prefix);
      sim.sim.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 5000 });
      const inq = await inquiryId(t, payerFi, billId);
      const liabilityBefore = (await t.ds.query(
        `SELECT debits_posted::text AS d FROM ledger_accounts WHERE id = $1`,
        [vw.liabilityAccountId],
      )) as { d: string }[];

      const requestId = rid12();
      const res = await voucherPay(billId, inq, v.voucher_number, requestId);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        code: '00',
        RequestID: requestId,
        billId,
        amount: 1000,
        currency: 'TZS',
        receiptNumber: expect.stringMatching(/^R\d+$/),
      });

      expect((await voucherRow(t, vw, v.voucher_serial_number)).state).toBe('consumed');
      const st = await statusCheck(t, vw, v.voucher_serial_number);
      expect(st.status).toBe(458);
      const [after] = (await t.ds.query(
        `SELECT debits_posted::text AS d FROM ledger_accounts WHERE id = $1`,
        [vw.liabilityAccountId],
      )) as { d: string }[];
      expect(BigInt(after.d) - BigInt(liabilityBefore[0].d)).toBe(1000n);
      expect(await ledgerAccount(t, vw.tenantId, `p2g:biller:${sim.billerId}:TZS`)).toMatchObject({
        credits: 1000n,
        debits: 0n,
      });
      const [posting] = (await t.ds.query(
        `SELECT lt.debit_account_id AS debit, lt.amount::text AS amount FROM ledger_transfers lt
         JOIN bill_payments p ON p.ledger_transfer_id = lt.id WHERE p.tenant_id = $1 AND p.receipt_no = $2`,
        [vw.tenantId, res.body.receiptNumber],
      )) as { debit: string; amount: string }[];
      expect(posting).toEqual({ debit: vw.liabilityAccountId, amount: '1000' });

      // The biller is advised of 1000 TZS.
      const advised = await sim.sim.waitFor((s) =>
        s.advices.some((a) => a.billId === billId && a.outcome === 'ACK'),
      );
      expect(advised.advices.find((a) => a.billId === billId)).toMatchObject({
        amount: 1000,
        currency: 'TZS',
      });
      expect(advised.bills.find((b) => b.billId === billId)).toMatchObject({
        status: 'PARTIALLY_PAID',
        amountPaid: 1000,
      });

      // The same request again: the same receipt, nothing moved twice.
      const replay = await voucherPay(billId, inq, v.voucher_number, requestId);
      expect(replay.status).toBe(202);
      expect(replay.body).toMatchObject({ code: '00', receiptNumber: res.body.receiptNumber });
      expect(await ledgerAccount(t, vw.tenantId, `p2g:biller:${sim.billerId}:TZS`)).toMatchObject({
        credits: 1000n,
      });

      // The same voucher on another bill is refused.
      const other = billUnder(sim.prefix);
      sim.sim.addBill({ billId: other, dueDate: dueIn(10), amountonDueDate: 1000 });
      const used = await voucherPay(other, await inquiryId(t, payerFi, other), v.voucher_number);
      // The voucher engine's status for a used voucher (458), in the P2G body.
      expect(used.status).toBe(458);
      expect(used.body).toMatchObject({ responseCode: '31', errorCode: 'VOUCHER_ALREADY_USED' });
      expect(await paymentRows(t, vw.tenantId, other)).toEqual([]);
      expect(await ledgerAccount(t, vw.tenantId, `p2g:biller:${sim.billerId}:TZS`)).toMatchObject({
        credits: 1000n,
      });
    });

    it('a voucher pays a bill of exactly its value in full', async () => {
      const v = await activeVoucher(t, vw);
      const billId = billUnder(sim.prefix);
      sim.sim.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 1000 });
      const res = await voucherPay(billId, await inquiryId(t, payerFi, billId), v.voucher_number);
      expect(res.status).toBe(202);
      expect(res.body.amount).toBe(1000);
      const paid = await sim.sim.waitFor((s) =>
        s.advices.some((a) => a.billId === billId && a.outcome === 'ACK'),
      );
      expect(paid.bills.find((b) => b.billId === billId)).toMatchObject({ status: 'PAID', amountPaid: 1000 });
      expect((await voucherRow(t, vw, v.voucher_serial_number)).state).toBe('consumed');
    });
  });

  /* ---------------------------------------------------------------------------------------------------------- */
  describe('settlement and reconciliation reports', () => {
    let r: Rig;
    const paid: { ref: string; receipt: string; amount: number }[] = [];
    let rejected: { ref: string; receipt: string; amount: number };

    beforeAll(async () => {
      r = await rig(t, pbbUrl, closer);
      for (const amount of [150000, 100000]) {
        const billId = billIdOf(r.w);
        r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: amount });
        const body = payBody(billId, await inquiryId(t, r.w.payerFi, billId));
        const res = await pay(t, r.w.payerFi, body);
        if (res.status !== 202) throw new Error(`pay: ${res.status} ${JSON.stringify(res.body)}`);
        paid.push({ ref: body.paymentReferenceID, receipt: res.body.receiptNumber, amount });
      }
      const billId = billIdOf(r.w);
      r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 50000 });
      const inq = await inquiryId(t, r.w.payerFi, billId);
      await payAtBiller(r.biller, r.w.biller.callbackSecret, billId, 'ELSEWHERE02');
      const body = payBody(billId, inq);
      const res = await pay(t, r.w.payerFi, body);
      if (res.status !== 202) throw new Error(`pay: ${res.status} ${JSON.stringify(res.body)}`);
      rejected = { ref: body.paymentReferenceID, receipt: res.body.receiptNumber, amount: 50000 };
      for (const p of paid) await adviceSettled(t, r.w.operator, p.ref, ['acknowledged']);
      await adviceSettled(t, r.w.operator, rejected.ref, ['rejected']);
    });

    it('settlement (JSON): one row per biller, payer FI and currency; the rejected payment apart', async () => {
      const res = await t.http().get(`/p2g/reports/settlement?date=${today()}`).set(as(r.w.operator));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        date: today(),
        rows: [
          {
            date: today(),
            billerId: r.w.billerId,
            billerName: 'CityWater',
            settlementBankCode: SETTLEMENT.bankCode,
            settlementAccount: SETTLEMENT.accountNumber,
            payerFi: r.w.payerFi.code,
            currency: 'KES',
            payments: 2,
            amount: '250000',
            amountDecimal: '2500.00',
            awaitingBiller: 0,
            rejected: 1,
            rejectedAmount: '50000',
          },
        ],
      });
      // Another day has nothing.
      const other = await t.http().get('/p2g/reports/settlement?date=2000-01-01').set(as(r.w.operator));
      expect(other.body.rows).toEqual([]);
      // Not for payer FIs.
      expect((await t.http().get('/p2g/reports/settlement').set(as(r.w.payerFi))).status).toBe(403);
    });

    it('settlement as CSV, and every receipt with detail=true', async () => {
      const csv = await t
        .http()
        .get(`/p2g/reports/settlement?date=${today()}&format=csv`)
        .set(as(r.w.operator));
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const lines = csv.text.trim().split(/\r?\n/);
      expect(lines[0]).toBe(
        'date,billerId,billerName,settlementBankCode,settlementAccount,payerFi,currency,payments,amount,amountDecimal,awaitingBiller,rejected,rejectedAmount',
      );
      expect(lines).toHaveLength(2);
      const header = lines[0].split(',');
      const cells = lines[1].split(',');
      expect(cells[header.indexOf('billerId')]).toBe(r.w.billerId);
      expect(cells[header.indexOf('payments')]).toBe('2');
      expect(cells[header.indexOf('amount')]).toBe('250000');
      expect(cells[header.indexOf('rejected')]).toBe('1');

      const detail = await t
        .http()
        .get(`/p2g/reports/settlement?date=${today()}&detail=true&format=csv`)
        .set(as(r.w.operator));
      expect(detail.status).toBe(200);
      const dl = detail.text.trim().split(/\r?\n/);
      const dh = dl[0].split(',');
      expect(dh).toEqual(expect.arrayContaining(['receiptNumber', 'paymentReference', 'amount', 'status']));
      expect(dl).toHaveLength(4);
      const byReceipt = new Map(
        dl.slice(1).map((l) => [l.split(',')[dh.indexOf('receiptNumber')], l.split(',')]),
      );
      for (const p of [...paid, rejected]) {
        const row = byReceipt.get(p.receipt);
        expect(row).toBeDefined();
        expect(row![dh.indexOf('paymentReference')]).toBe(p.ref);
        expect(row![dh.indexOf('amount')]).toBe(String(p.amount));
      }
      expect(byReceipt.get(rejected.receipt)![dh.indexOf('status')]).toBe('rejected');
      expect(byReceipt.get(paid[0].receipt)![dh.indexOf('status')]).toBe('completed');
    });

    it('reconciliation is balanced; a ledger posting that names no payment is reported', async () => {
      const ok = await t.http().get(`/p2g/reports/reconciliation?date=${today()}`).set(as(r.w.operator));
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ date: today(), paymentsChecked: 3, issues: [], balanced: true });

      const ledger = t.app.get(LedgerService);
      const debit = await ledgerAccount(t, r.w.tenantId, `p2g:payerfi:${r.w.payerFi.code}:KES`);
      const credit = await ledgerAccount(t, r.w.tenantId, `p2g:biller:${r.w.billerId}:KES`);
      const stray = randomUUID();
      await ledger.createTransfers(undefined, r.w.tenantId, [
        {
          id: randomUUID(),
          kind: 'posted',
          debitAccountId: debit!.id,
          creditAccountId: credit!.id,
          amount: 700n,
          currency: 'KES',
          code: 'bill.payment',
          referenceType: 'bill_payment',
          referenceId: stray,
        },
      ]);
      const broken = await t.http().get(`/p2g/reports/reconciliation?date=${today()}`).set(as(r.w.operator));
      expect(broken.status).toBe(200);
      expect(broken.body).toMatchObject({ balanced: false, paymentsChecked: 3 });
      expect(broken.body.issues).toEqual([
        expect.objectContaining({
          payment_id: stray,
          amount: '700',
          issue: 'ledger posting names no payment',
        }),
      ]);
    });
  });
});

/* ----------------------------------------------------------------------------------------------------------------
 * Restart: its own servers, one after the other, on the same database (no other server of this file runs then).
 * -------------------------------------------------------------------------------------------------------------- */

describe('P2G store-and-forward survives a restart (e2e)', () => {
  const closer = new Closer();
  const apps: TestApp[] = [];

  afterAll(async () => {
    await closer.closeAll();
    for (const a of apps.splice(0)) await a.close().catch(() => undefined);
  });

  const boot = async (env: Record<string, string>) => {
    const a = await createTestApp(env);
    apps.push(a);
    return { app: a, url: await listenUrl(a) };
  };
  const shut = async (a: TestApp) => {
    apps.splice(apps.indexOf(a), 1);
    await a.close();
  };
  const adviceRow = async (a: TestApp, tenantId: string, ref: string) =>
    (
      (await a.ds.query(
        `SELECT status, advice_status, advice_attempts AS attempts, advice_last_status AS last_status,
                advice_last_error AS last_error, advice_lease_until > now() AS leased,
                extract(epoch FROM advice_lease_until - now())::int AS lease_seconds_left
         FROM bill_payments WHERE tenant_id = $1 AND transaction_id = $2`,
        [tenantId, ref],
      )) as Record<string, unknown>[]
    )[0];

  /** After the first process stops, the second (on the same rows) delivers the advice; the payer FI is told. */
  async function deliveredByNext(
    next: TestApp,
    r: Rig,
    billId: string,
    ref: string,
    receipt: string,
  ): Promise<void> {
    const acked = await r.biller
      .waitFor((s) => s.advices.some((a) => a.paymentReferenceId === ref && a.outcome === 'ACK'), 20_000)
      .catch(() => undefined);
    // On a timeout, the row says why (shown by the failing assertion).
    if (!acked)
      expect(await adviceRow(next, r.w.tenantId, ref)).toEqual(
        expect.objectContaining({ advice_status: 'acknowledged' }),
      );
    expect(acked!.advices.filter((a) => a.paymentReferenceId === ref && a.outcome === 'ACK')).toHaveLength(1);
    const done = await adviceSettled(next, r.w.operator, ref, ['acknowledged']);
    expect(done).toMatchObject({ status: 'completed', receiptNumber: receipt });
    const told = await r.fi.waitFor((s) => notesFor(s, billId).length > 0, 15_000);
    expect(notesFor(told, billId)).toEqual([
      expect.objectContaining({ status: 'ACK', receiptNumber: receipt }),
    ]);
  }

  it('a payment recorded while the biller is down is advised by the next process (stopped between attempts)', async () => {
    // The first process retries slowly, so that it can be stopped with no attempt in flight.
    const first = await boot({
      ...ENV,
      P2G_ADVICE_BACKOFF_BASE_MS: '4000',
      P2G_ADVICE_BACKOFF_MAX_MS: '4000',
    });
    const r = await rig(first.app, first.url, closer);
    const billId = billIdOf(r.w);
    r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 64000 });
    const inq = await inquiryId(first.app, r.w.payerFi, billId);
    r.biller.setDown(true);
    const body = payBody(billId, inq);
    const ref = body.paymentReferenceID;
    const res = await pay(first.app, r.w.payerFi, body);
    expect(res.status).toBe(202);
    expect(res.body.paymentStatus).toBe('RECORDED');
    await eventually(async () => {
      const row = await adviceRow(first.app, r.w.tenantId, ref);
      return row?.last_status === 503 && row.leased !== true ? row : undefined;
    }, 'the failed attempt to be recorded');
    await shut(first.app);

    r.biller.setDown(false);
    const second = await boot(ENV);
    linkSimulators(r.w, second.url, r.biller, r.fi);
    expect(await adviceRow(second.app, r.w.tenantId, ref)).toMatchObject({
      status: 'recorded',
      advice_status: 'pending',
    });
    await deliveredByNext(second.app, r, billId, ref, res.body.receiptNumber);
    await shut(second.app);
  });

  // A send in flight when the process stops holds the advice only for its lease (the biller's timeout plus 5 s).
  it('a payment whose advice is in flight when the process stops is advised by the next process', async () => {
    const first = await boot(ENV);
    const r = await rig(first.app, first.url, closer);
    const billId = billIdOf(r.w);
    r.biller.addBill({ billId, dueDate: dueIn(10), amountonDueDate: 64000 });
    const inq = await inquiryId(first.app, r.w.payerFi, billId);
    r.biller.setDown(true);
    // The biller's 503 takes 500 ms: the server is waiting for it when it is stopped.
    r.biller.configure({ latencyMs: 500 });
    const body = payBody(billId, inq);
    const ref = body.paymentReferenceID;
    const res = await pay(first.app, r.w.payerFi, body);
    expect(res.status).toBe(202);
    await r.biller.waitFor((s) => s.advices.some((a) => a.paymentReferenceId === ref));
    await shut(first.app);

    r.biller.configure({ latencyMs: 0 });
    r.biller.setDown(false);
    const second = await boot(ENV);
    linkSimulators(r.w, second.url, r.biller, r.fi);
    await deliveredByNext(second.app, r, billId, ref, res.body.receiptNumber);
    await shut(second.app);
  });
});
