import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { BULK_QUEUE } from '../apps/payments-bb/src/bulk/bulk.constants';
import {
  CallbackReceiver,
  ReceivedCallback,
  startCallbackReceiver,
} from '../apps/simulators/src/callback-receiver';
import { PayerFspSimulator, startPayerFsp } from '../apps/simulators/src/payer-fsp/payer-fsp';
import {
  accountBalances,
  as,
  batchRow,
  BulkWorld,
  createBulkWorld,
  fund,
  instructionId,
  instructionRows,
  registerPayees,
  tenantBatches,
  uniqueMsisdn,
  v1Batch,
  v3Item,
  waitForBatch,
  waitForFinal,
} from './support/bulk-fixtures';
import { functionalId, id12 } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

interface Proxy {
  url: string;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target`; for a request `fault` picks, answers 503 without forwarding ('before') or
 * forwards it and answers 503 instead of the real answer ('after', a lost response).
 */
async function startProxy(
  target: string,
  fault: (req: IncomingMessage, body: string) => 'before' | 'after' | undefined,
): Promise<Proxy> {
  const proxy: Proxy = { url: '', close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const kind = fault(req, raw.toString('utf8'));
      const finish = (status: number, type: string, body: string) => {
        res.writeHead(status, { 'Content-Type': type }).end(body);
      };
      if (kind === 'before') return finish(503, 'application/json', '{"error":"proxy: down"}');
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
      ) as Record<string, string>;
      fetch(new URL(req.url ?? '/', target), {
        method: req.method,
        headers,
        body: raw.length ? raw : undefined,
      })
        .then(async (r) => {
          const text = await r.text();
          if (kind === 'after') finish(503, 'application/json', '{"error":"proxy: answer lost"}');
          else finish(r.status, r.headers.get('content-type') ?? 'application/json', text);
        })
        .catch(() => finish(502, 'application/json', '{"error":"proxy: target unreachable"}'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
  return proxy;
}

/**
 * The bulk disbursement scenarios end to end: the real application (HTTP, queue workers, sweeper) against the
 * payer FSP simulator and a callback receiver standing in for the source BB. Every test has its own tenant.
 */
describe('Bulk disbursement scenarios', () => {
  let t: TestApp;
  let fsp: PayerFspSimulator;
  let sink: CallbackReceiver;

  beforeAll(async () => {
    fsp = await startPayerFsp({ port: 0 });
    sink = await startCallbackReceiver({ port: 0 });
    t = await createTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      BULK_SWEEP_INTERVAL_MS: '300',
      BULK_SUBMIT_BACKOFF_BASE_MS: '50',
      BULK_SUBMIT_BACKOFF_MAX_MS: '200',
      BULK_STATUS_POLL_AFTER_SECONDS: '1',
    });
    // Nest keeps its log messages in a buffer (bufferLogs) until app.listen(); this app listens on its server directly.
    t.app.flushLogs();
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    t.config.env.PUBLIC_BASE_URL = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await t?.close();
    await fsp?.close();
    await sink?.close();
  });

  beforeEach(() => {
    fsp.configure({
      down: false,
      pushDisabled: false,
      authorization: 'Y',
      refuseSubBatches: undefined,
      latencyMs: 0,
      failureRate: 0,
      pushChunkSize: 1000,
    });
  });

  afterEach(() => {
    // Whatever a scenario did, the payer FSP never paid an instruction twice.
    const twice = [...fsp.executions()].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
  });

  async function world(opts: Partial<Parameters<typeof createBulkWorld>[1]> = {}): Promise<BulkWorld> {
    const w = await createBulkWorld(t, {
      fspUrl: fsp.url,
      callbackBase: sink.url,
      funding: '100000.00',
      ...opts,
    });
    fsp.configure({ pbbApiKey: w.fsp.apiKey, tenantId: w.tenantId });
    return w;
  }

  async function payees(w: BulkWorld, n: number): Promise<{ ids: string[]; addresses: string[] }> {
    const addresses = Array.from({ length: n }, () => uniqueMsisdn());
    const ids = await registerPayees(
      t,
      w,
      addresses.map((address) => ({ modality: '01', address })),
    );
    return { ids, addresses };
  }

  const callbacksFor = (batchId: string) =>
    sink.received.filter((c) => (c.body as { batchId?: string })?.batchId === batchId);
  const callbackFor = (batchId: string): Promise<ReceivedCallback> =>
    sink.waitFor((c) => (c.body as { batchId?: string })?.batchId === batchId);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const countBatches = async (w: BulkWorld) => (await tenantBatches(t, w)).length;
  /** Sub-batches of a batch the payer FSP simulator accepted. */
  const fspSubBatchesOf = (batchId: string) =>
    [...fsp.subBatches.values()].filter((s) => s.batchId === batchId);

  async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('Condition not met in time');
      await sleep(20);
    }
  }

  async function waitForSubBatch(
    batchId: string,
    until: (s: { state: string; last_error: string | null }) => boolean,
    timeoutMs = 10_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = (await t.ds.query(`SELECT state, last_error FROM sub_batches WHERE batch_id = $1`, [
        batchId,
      ])) as { state: string; last_error: string | null }[];
      const hit = rows.find(until);
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(`No sub-batch of ${batchId} got there: ${JSON.stringify(rows)}`);
      await sleep(20);
    }
  }

  it('1. a repeated batch is the same batch: sequential and parallel replays, 409 on a different body', async () => {
    const w = await world();
    const { ids } = await payees(w, 2);
    const body = v1Batch(w, [
      { payee: ids[0], amount: 10 },
      { payee: ids[1], amount: '20.50' },
    ]);
    const send = (b: object) =>
      t.http().post('/bulk-payment').set(as(w.source)).set('X-Callback-URL', `${sink.url}/bulk`).send(b);

    // More twins at once than the database pool has connections.
    const parallel = await Promise.all(Array.from({ length: 12 }, () => send(body)));
    expect(parallel.map((r) => [r.status, r.body.ResponseCode])).toEqual(parallel.map(() => [200, '00']));
    const batchId = parallel[0].body.PaymentsBatchID as string;
    expect(new Set(parallel.map((r) => r.body.PaymentsBatchID))).toEqual(new Set([batchId]));

    const again = await send(body);
    expect(again.status).toBe(200);
    expect(again.body.PaymentsBatchID).toBe(batchId);

    const changed = { ...body, CreditInstructions: [body.CreditInstructions[0]] };
    const conflict = await send(changed);
    expect(conflict.status).toBe(409);
    expect(conflict.body.ResponseCode).toBe('01');
    expect(conflict.body.ResponseDescription).toContain('IDEMPOTENCY_KEY_REUSED');

    const done = await waitForFinal(t, batchId);
    expect(done.state).toBe('completed');
    expect(done.posted_amount).toBe('3050');
    const batches = await tenantBatches(t, w);
    expect(batches.map((x) => x.id)).toEqual([batchId]);
    expect(await instructionRows(t, batchId)).toHaveLength(2);
    for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBe(1);
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({
      debits_pending: '0',
      debits_posted: '3050',
    });
    await callbackFor(batchId);
    await sleep(300);
    expect(callbacksFor(batchId)).toHaveLength(1);
  });

  it('2. duplicate instruction IDs are refused AM05 within a batch and across batches; a repeated payee is flagged and paid', async () => {
    const w = await world();
    const { ids } = await payees(w, 3);
    const dupId = instructionId();
    const first = v1Batch(w, [
      { payee: ids[0], amount: 10, id: dupId },
      { payee: ids[1], amount: 11, id: dupId },
      { payee: ids[2], amount: 5 },
      { payee: ids[2], amount: 6 },
    ]);
    const r1 = await t.http().post('/bulk-payment').set(as(w.source)).send(first);
    expect(r1.status).toBe(200);
    const b1 = r1.body.PaymentsBatchID as string;
    const done1 = await waitForFinal(t, b1);
    expect(done1.state).toBe('partially_completed');
    const rows1 = await instructionRows(t, b1);
    expect(rows1.map((r) => [r.instruction_id, r.state, r.reason_code, r.duplicate_payee])).toEqual([
      [dupId, 'completed', null, false],
      [dupId, 'invalid', 'AM05', false],
      [first.CreditInstructions[2].InstructionID, 'completed', null, true],
      [first.CreditInstructions[3].InstructionID, 'completed', null, true],
    ]);
    expect(done1.posted_amount).toBe('2100');
    expect(fsp.executions().get(dupId)).toBe(1);

    // The same source reuses an instruction ID in a later batch: refused there, never paid again.
    const reused = first.CreditInstructions[2].InstructionID;
    const second = v1Batch(w, [
      { payee: ids[0], amount: 7, id: reused },
      { payee: ids[1], amount: 8 },
    ]);
    const r2 = await t.http().post('/bulk-payment').set(as(w.source)).send(second);
    expect(r2.status).toBe(200);
    const b2 = r2.body.PaymentsBatchID as string;
    expect(b2).not.toBe(b1);
    const done2 = await waitForFinal(t, b2);
    expect(done2.state).toBe('partially_completed');
    const rows2 = await instructionRows(t, b2);
    expect(rows2.map((r) => [r.instruction_id, r.state, r.reason_code])).toEqual([
      [reused, 'invalid', 'AM05'],
      [second.CreditInstructions[1].InstructionID, 'completed', null],
    ]);
    expect(rows2[0].reason).toMatch(/earlier batch/);
    expect(fsp.executions().get(reused)).toBe(1);
    expect(done2.posted_amount).toBe('800');
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({
      debits_pending: '0',
      debits_posted: '2900',
    });

    // Two batches racing with a shared instruction ID: exactly one of them pays it.
    const shared = instructionId();
    const racing = [0, 1].map((k) =>
      v1Batch(w, [
        { payee: ids[k], amount: 1, id: shared },
        { payee: ids[2], amount: 2 },
      ]),
    );
    const raced = await Promise.all(
      racing.map((x) => t.http().post('/bulk-payment').set(as(w.source)).send(x)),
    );
    const racedIds = raced.map((r) => r.body.PaymentsBatchID as string);
    const racedDone = await Promise.all(racedIds.map((id) => waitForFinal(t, id)));
    const sharedRows = (await Promise.all(racedIds.map((id) => instructionRows(t, id)))).map(
      (rows) => rows[0],
    );
    expect(sharedRows.map((r) => r.state).sort()).toEqual(['completed', 'invalid']);
    expect(sharedRows.find((r) => r.state === 'invalid')!.reason_code).toBe('AM05');
    expect(fsp.executions().get(shared)).toBe(1);
    expect(racedDone.map((d) => d.state).sort()).toEqual(['completed', 'partially_completed']);
  });

  it('3. a program short of funds waits in awaiting_funds without touching the FSP or the ledger, and continues once funded', async () => {
    const w = await world({ funding: '10.00' });
    const { ids } = await payees(w, 2);
    const body = v1Batch(w, [
      { payee: ids[0], amount: 10 },
      { payee: ids[1], amount: 15 },
    ]);
    const res = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .set('X-Callback-URL', `${sink.url}/bulk`)
      .send(body);
    expect(res.status).toBe(200);
    const batchId = res.body.PaymentsBatchID as string;
    const waiting = await waitForBatch(t, batchId, (b) => b.state === 'awaiting_funds');
    expect(waiting.state_reason).toMatch(/cannot cover 25\.00 TZS/);
    await sleep(700); // several sweeps: it keeps waiting
    const still = await batchRow(t, batchId);
    expect(still).toMatchObject({
      state: 'awaiting_funds',
      reserved_amount: '0',
      posted_amount: '0',
      reservation_id: null,
    });
    expect(fspSubBatchesOf(batchId)).toHaveLength(0);
    for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBeUndefined();
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({
      debits_pending: '0',
      debits_posted: '0',
      credits_posted: '1000',
    });

    await fund(t, w, '20.00');
    const done = await waitForFinal(t, batchId);
    expect(done).toMatchObject({ state: 'completed', posted_amount: '2500', reserved_amount: '0' });
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({
      debits_pending: '0',
      debits_posted: '2500',
      credits_posted: '3000',
    });
    for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBe(1);
    expect((await callbackFor(batchId)).body).toMatchObject({ status: 'completed', completed: 2 });
  });

  it('4. maker-checker: the batch waits unreserved, the maker and a source BB cannot approve, the checker can', async () => {
    const w = await world({ requiresApproval: true });
    const { ids } = await payees(w, 1);
    const direct = uniqueMsisdn();
    const items = [
      v3Item([{ key: 'functionalId', value: ids[0] }], '12.00'),
      v3Item([{ key: 'msisdn', value: direct }], '8.00'),
    ];
    const res = await t
      .http()
      .post('/batchtransactions?type=raw')
      .set(as(w.operator))
      .set('X-Registering-Institution-Id', w.source.code)
      .set('X-CorrelationID', `corr-${id12()}`)
      .set('X-Callback-URL', `${sink.url}/bulk`)
      .send(items);
    expect(res.status).toBe(202);
    const batchId = res.body.batchId as string;
    const waiting = await waitForBatch(t, batchId, (b) => b.state === 'awaiting_approval');
    expect(waiting.reserved_amount).toBe('0');
    const row = await batchRow(t, batchId);
    expect(row).toMatchObject({ maker_id: w.operator.id, reservation_id: null, approved_by: null });
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({ debits_pending: '0' });

    const byMaker = await t.http().post(`/api/v1/batches/${batchId}/approve`).set(as(w.operator));
    expect(byMaker.status).toBe(403);
    expect(byMaker.body.error.code).toBe('MAKER_CANNOT_APPROVE');
    const bySource = await t.http().post(`/api/v1/batches/${batchId}/approve`).set(as(w.source));
    expect([403, 404]).toContain(bySource.status);
    await sleep(400);
    expect(await batchRow(t, batchId)).toMatchObject({ state: 'awaiting_approval', reserved_amount: '0' });
    expect(fspSubBatchesOf(batchId)).toHaveLength(0);

    const approved = await t.http().post(`/api/v1/batches/${batchId}/approve`).set(as(w.checker));
    expect(approved.status).toBe(200);
    expect(approved.body.approvedBy).toBe(w.checker.id);
    const done = await waitForFinal(t, batchId);
    expect(done).toMatchObject({ state: 'completed', posted_amount: '2000', approved_by: w.checker.id });
    for (const i of items) expect(fsp.executions().get(i.requestId)).toBe(1);

    const twice = await t.http().post(`/api/v1/batches/${batchId}/approve`).set(as(w.checker));
    expect(twice.status).toBe(409);
  });

  it('5. a payer FSP that is down holds the batch, nothing is paid; once back every instruction is paid exactly once', async () => {
    const w = await world();
    const { ids } = await payees(w, 3);
    fsp.setDown(true);
    const body = v1Batch(
      w,
      ids.map((p, i) => ({ payee: p, amount: 10 + i })),
    );
    const res = await t.http().post('/bulk-payment').set(as(w.source)).send(body);
    expect(res.status).toBe(200);
    const batchId = res.body.PaymentsBatchID as string;
    const held = await waitForBatch(
      t,
      batchId,
      (b) =>
        b.state === 'funds_reserved' && !!b.state_reason?.includes('Authorization could not be obtained'),
    );
    expect(held.state_reason).toMatch(/503/);
    await sleep(700);
    const still = await batchRow(t, batchId);
    expect(still.state).toBe('funds_reserved');
    expect(still.reserved_amount).toBe('3300');
    expect(still.attempts).toBeGreaterThan(1);
    expect(fspSubBatchesOf(batchId)).toHaveLength(0);
    for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBeUndefined();

    fsp.setDown(false);
    const done = await waitForFinal(t, batchId);
    expect(done).toMatchObject({ state: 'completed', posted_amount: '3300', reserved_amount: '0' });
    for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBe(1);
  });

  it('5b. a sub-batch refused with 503, then whose 202 is lost, is sent again under the same ID and paid once', async () => {
    // A proxy in front of the simulator. For the first sub-batch it sees: the first submission is answered 503
    // without reaching the FSP, the second reaches the FSP but its 202 is replaced by a 503 (a lost answer).
    let first: string | undefined;
    const seen = new Map<string, number>();
    const proxy = await startProxy(fsp.url, (req, body) => {
      if (req.method !== 'POST' || req.url !== '/sub-batches') return undefined;
      const id = (JSON.parse(body) as { subBatchId: string }).subBatchId;
      first ??= id;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (id !== first) return undefined;
      return n === 1 ? 'before' : n === 2 ? 'after' : undefined;
    });
    try {
      const w = await world({ fspUrl: proxy.url, subBatchSize: 1 });
      // No pushes: a sub-batch stays at the FSP (in flight) until polled, and a lost 202 is always sent again.
      fsp.configure({ pushDisabled: true });
      const { ids } = await payees(w, 2);
      const body = v1Batch(
        w,
        ids.map((p, i) => ({ payee: p, amount: 2 + i })),
      );
      const res = await t.http().post('/bulk-payment').set(as(w.source)).send(body);
      const batchId = res.body.PaymentsBatchID as string;
      const pending = await waitForSubBatch(batchId, (s) => s.state === 'pending' && s.last_error !== null);
      expect(pending.last_error).toMatch(/503/);
      const done = await waitForFinal(t, batchId, 15_000);
      expect(done).toMatchObject({ state: 'completed', posted_amount: '500', reserved_amount: '0' });
      for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBe(1);
      const subs = (await t.ds.query(
        `SELECT id, state, attempts, last_error FROM sub_batches WHERE batch_id = $1 ORDER BY seq`,
        [batchId],
      )) as {
        id: string;
        state: string;
        attempts: number;
        last_error: string | null;
      }[];
      // Both sub-batches go out at once: whichever the proxy saw first is the faulty one.
      const faulty = subs.find((s) => s.id === first)!;
      const healthy = subs.find((s) => s.id !== first)!;
      expect([faulty.state, faulty.attempts, faulty.last_error]).toEqual(['completed', 3, null]);
      expect([healthy.state, healthy.attempts, healthy.last_error]).toEqual(['completed', 1, null]);
      // The lost answer was sent again under the same sub-batch ID: the FSP saw it twice and paid it once.
      expect(fsp.subBatches.get(faulty.id)?.submissions).toBe(2);
      expect(fsp.subBatches.get(healthy.id)?.submissions).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('6. v3 JSON: functional IDs and direct MSISDNs, 202 with the batch ID, same batch on replay', async () => {
    const w = await world();
    const { ids } = await payees(w, 1);
    const items = [
      v3Item([{ key: 'functionalId', value: ids[0] }], '15.00'),
      v3Item([{ key: 'msisdn', value: uniqueMsisdn() }], 7.5),
    ];
    const corr = `corr-${id12()}`;
    const send = () =>
      t
        .http()
        .post('/batchtransactions?type=raw')
        .set(as(w.source))
        .set('X-CorrelationID', corr)
        .set('X-Callback-URL', `${sink.url}/v3`)
        .send(items);
    const res = await send();
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ rejectedAtIntake: 0 });
    const batchId = res.body.batchId as string;
    expect(batchId).toMatch(/^[0-9a-f-]{36}$/);
    const replay = await send();
    expect(replay.status).toBe(202);
    expect(replay.body.batchId).toBe(batchId);
    const done = await waitForFinal(t, batchId);
    expect(done).toMatchObject({ state: 'completed', posted_amount: '2250', origin: 'v3-json' });
    for (const i of items) expect(fsp.executions().get(i.requestId)).toBe(1);
    const cb = await callbackFor(batchId);
    expect(cb.path).toBe('/v3');
    expect(cb.body).toMatchObject({ status: 'completed', completed: 2, failed: 0, requestId: corr });
    expect(await countBatches(w)).toBe(1);
  });

  it('7. v3 CSV: text/csv and multipart uploads with a bad row; malformed and all-invalid files store nothing', async () => {
    const w = await world();
    const { ids } = await payees(w, 2);
    const direct = uniqueMsisdn();
    const header =
      'instruction_id,payee_functional_id,payee_identifier_type,payee_identifier,amount,currency,narration';
    const [i1, i2, i3] = [instructionId(), instructionId(), instructionId()];
    const csv = [
      header,
      `${i1},${ids[0]},,,10.00,TZS,May`,
      `${i2},,msisdn,${direct},4.50,TZS,May`,
      `${i3},${ids[1]},,,abc,TZS,bad amount`,
    ].join('\n');
    const corr1 = `csv-${id12()}`;
    const sendCsv = (text: string, corr: string) =>
      t
        .http()
        .post('/batchtransactions?type=csv')
        .set(as(w.source))
        .set('X-CorrelationID', corr)
        .set('Content-Type', 'text/csv')
        .send(text);
    const plain = await sendCsv(csv, corr1);
    expect(plain.status).toBe(202);
    expect(plain.body.rejectedAtIntake).toBe(1);
    const b1 = plain.body.batchId as string;
    const replay = await sendCsv(csv, corr1);
    expect(replay.status).toBe(202);
    expect(replay.body.batchId).toBe(b1);
    const changed = await sendCsv(`${csv}\n${instructionId()},${ids[0]},,,1.00,TZS,extra`, corr1);
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const done1 = await waitForFinal(t, b1);
    expect(done1).toMatchObject({ state: 'partially_completed', posted_amount: '1450', origin: 'v3-csv' });
    const rows1 = await instructionRows(t, b1);
    expect(rows1.map((r) => [r.instruction_id, r.state, r.reason_code])).toEqual([
      [i1, 'completed', null],
      [i2, 'completed', null],
      [i3, 'invalid', 'AM12'],
    ]);
    expect(fsp.executions().get(i1)).toBe(1);
    expect(fsp.executions().get(i2)).toBe(1);
    expect(fsp.executions().get(i3)).toBeUndefined();

    const [j1, j2] = [instructionId(), instructionId()];
    const csv2 = [
      header,
      `${j1},${ids[0]},,,3.00,TZS,June`,
      `${j2},${ids[1]},,,2.00,USD,wrong currency`,
    ].join('\r\n');
    const corr2 = `csv-${id12()}`;
    const upload = () =>
      t
        .http()
        .post('/batchtransactions?type=csv')
        .set(as(w.source))
        .set('X-CorrelationID', corr2)
        .field('note', 'June list')
        .attach('file', Buffer.from(csv2), { filename: 'batch.csv', contentType: 'text/csv' });
    const multi = await upload();
    expect(multi.status).toBe(202);
    const b2 = multi.body.batchId as string;
    // Another multipart body (another boundary) carrying the same file is the same batch.
    const multiAgain = await upload();
    expect(multiAgain.status).toBe(202);
    expect(multiAgain.body.batchId).toBe(b2);
    const done2 = await waitForFinal(t, b2);
    expect(done2).toMatchObject({ state: 'partially_completed', posted_amount: '300' });
    expect((await instructionRows(t, b2)).map((r) => [r.instruction_id, r.state, r.reason_code])).toEqual([
      [j1, 'completed', null],
      [j2, 'invalid', 'AM03'],
    ]);

    const before = await countBatches(w);
    const malformed = await t
      .http()
      .post('/batchtransactions?type=csv')
      .set(as(w.source))
      .set('X-CorrelationID', `csv-${id12()}`)
      .set('Content-Type', 'text/csv')
      .send(['instruction_id,payee_functional_id,amount', `${instructionId()},${ids[0]},1.00`].join('\n'));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    expect(malformed.body.error.message).toMatch(/header row/);

    const ragged = await t
      .http()
      .post('/batchtransactions?type=csv')
      .set(as(w.source))
      .set('X-CorrelationID', `csv-${id12()}`)
      .set('Content-Type', 'text/csv')
      .send(
        [header, `${instructionId()},${ids[0]},,,1.00,TZS,ok`, `${instructionId()},${ids[0]},1.00`].join(
          '\n',
        ),
      );
    expect(ragged.status).toBe(400);
    expect(ragged.body.error.code).toBe('VALIDATION_FAILED');

    const allBad = await t
      .http()
      .post('/batchtransactions?type=csv')
      .set(as(w.source))
      .set('X-CorrelationID', `csv-${id12()}`)
      .set('Content-Type', 'text/csv')
      .send(
        [header, `${instructionId()},${ids[0]},,,-1,TZS,x`, `${instructionId()},${ids[1]},,,1.00,XXX,y`].join(
          '\n',
        ),
      );
    expect(allBad.status).toBe(400);
    expect(allBad.body.error.code).toBe('NO_VALID_INSTRUCTIONS');
    expect(await countBatches(w)).toBe(before);
    const [{ n }] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM batch_instructions WHERE tenant_id = $1`,
      [w.tenantId],
    )) as { n: number }[];
    expect(n).toBe(5);
  });

  it('8. control totals: a mismatch refuses the whole batch and stores nothing; matching totals are accepted', async () => {
    const w = await world();
    const { ids } = await payees(w, 2);
    const items = [
      v3Item([{ key: 'functionalId', value: ids[0] }], '10.00'),
      v3Item([{ key: 'functionalId', value: ids[1] }], '2.25'),
    ];
    const post = (headers: Record<string, string>, corr = `ct-${id12()}`) =>
      t
        .http()
        .post('/batchtransactions?type=raw')
        .set(as(w.source))
        .set('X-CorrelationID', corr)
        .set(headers)
        .send(items);

    const badCount = await post({ 'X-Control-Count': '3', 'X-Control-Sum': '12.25' });
    expect(badCount.status).toBe(400);
    expect(badCount.body.error.code).toBe('CONTROL_TOTAL_MISMATCH');
    const badSum = await post({ 'X-Control-Count': '2', 'X-Control-Sum': '12.24' });
    expect(badSum.status).toBe(400);
    expect(badSum.body.error.code).toBe('CONTROL_TOTAL_MISMATCH');
    const v1 = v1Batch(w, [{ payee: ids[0], amount: 1 }]);
    const badV1 = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .set('X-Control-Sum', '2.00')
      .send(v1);
    expect(badV1.status).toBe(400);
    expect(badV1.body.ResponseCode).toBe('01');
    expect(badV1.body.ResponseDescription).toContain('CONTROL_TOTAL_MISMATCH');
    expect(await countBatches(w)).toBe(0);
    const [{ n }] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM instruction_registry WHERE tenant_id = $1`,
      [w.tenantId],
    )) as { n: number }[];
    expect(n).toBe(0);

    // The refused requests left no trace: the same instruction IDs go through now.
    const ok = await post({ 'X-Control-Count': '2', 'X-Control-Sum': '12.25' });
    expect(ok.status).toBe(202);
    const done = await waitForFinal(t, ok.body.batchId as string);
    expect(done).toMatchObject({ state: 'completed', posted_amount: '1225' });
  });

  it('9. cancelling a batch before it is sent releases everything and sends the final callback; a finished batch cannot be cancelled', async () => {
    const w = await world({ requiresApproval: true });
    const { ids } = await payees(w, 2);
    const body = v1Batch(w, [
      { payee: ids[0], amount: 10 },
      { payee: ids[1], amount: 20 },
    ]);
    const res = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .set('X-Callback-URL', `${sink.url}/bulk`)
      .send(body);
    const batchId = res.body.PaymentsBatchID as string;
    await waitForBatch(t, batchId, (b) => b.state === 'awaiting_approval');
    const cancelled = await t
      .http()
      .post(`/api/v1/batches/${batchId}/cancel`)
      .set(as(w.source))
      .send({ reason: 'wrong list' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ batchId, status: 'cancelled' });
    const row = await batchRow(t, batchId);
    expect(row).toMatchObject({
      state: 'cancelled',
      reservation_id: null,
      reserved_amount: '0',
      posted_amount: '0',
    });
    expect((await instructionRows(t, batchId)).map((r) => [r.state, r.reason_code])).toEqual([
      ['cancelled', 'DS02'],
      ['cancelled', 'DS02'],
    ]);
    const cb = await callbackFor(batchId);
    expect(cb.body).toMatchObject({ status: 'cancelled', completed: 0, failed: 2 });
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({
      debits_pending: '0',
      debits_posted: '0',
    });
    // An approval after the cancel changes nothing.
    const late = await t.http().post(`/api/v1/batches/${batchId}/approve`).set(as(w.checker));
    expect(late.status).toBe(409);
    await sleep(400);
    expect((await batchRow(t, batchId)).state).toBe('cancelled');
    expect(fspSubBatchesOf(batchId)).toHaveLength(0);
    expect(callbacksFor(batchId)).toHaveLength(1);

    const other = v1Batch(w, [{ payee: ids[0], amount: 1 }]);
    const r2 = await t.http().post('/bulk-payment').set(as(w.source)).send(other);
    const b2 = r2.body.PaymentsBatchID as string;
    await waitForBatch(t, b2, (b) => b.state === 'awaiting_approval');
    expect((await t.http().post(`/api/v1/batches/${b2}/approve`).set(as(w.checker))).status).toBe(200);
    expect((await waitForFinal(t, b2)).state).toBe('completed');
    const tooLate = await t.http().post(`/api/v1/batches/${b2}/cancel`).set(as(w.operator)).send({});
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error.code).toBe('BATCH_STATE_CONFLICT');
    expect((await batchRow(t, b2)).state).toBe('completed');
  });

  it('10. retry of the failed subset: a new linked batch pays only the failed instructions, once; a second retry is refused', async () => {
    const w = await world();
    const { ids, addresses } = await payees(w, 3);
    fsp.setAccount(addresses[1], { status: 'closed' });
    const late = functionalId(); // registered only after the first batch: unresolved there, paid by the retry
    const lateAddress = uniqueMsisdn();
    const body = v1Batch(w, [
      { payee: ids[0], amount: 10 },
      { payee: ids[1], amount: 20 },
      { payee: ids[2], amount: 30 },
      { payee: late, amount: 15 },
    ]);
    const res = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .set('X-Callback-URL', `${sink.url}/bulk`)
      .send(body);
    const batchId = res.body.PaymentsBatchID as string;
    const first = await waitForFinal(t, batchId);
    expect(first).toMatchObject({
      state: 'partially_completed',
      ready_amount: '6000',
      posted_amount: '4000',
      released_amount: '2000',
      reserved_amount: '0',
    });
    const failedId = body.CreditInstructions[1].InstructionID;
    const lateId = body.CreditInstructions[3].InstructionID;
    expect(
      (await instructionRows(t, batchId)).map((r) => [r.instruction_id, r.state, r.reason_code]),
    ).toEqual([
      [body.CreditInstructions[0].InstructionID, 'completed', null],
      [failedId, 'failed', 'AC04'],
      [body.CreditInstructions[2].InstructionID, 'completed', null],
      [lateId, 'unresolved', 'BE06'],
    ]);
    expect((await callbackFor(batchId)).body).toMatchObject({
      status: 'partially_completed',
      completed: 2,
      failed: 2,
    });

    fsp.setAccount(addresses[1], { status: 'open' });
    const reg = await t
      .http()
      .post('/register-beneficiary')
      .set(as(w.source))
      .send({
        RequestID: id12('R'),
        SourceBBID: w.source.code,
        Beneficiaries: [{ PayeeFunctionalID: late, PaymentModality: '01', FinancialAddress: lateAddress }],
      });
    expect(reg.body.ResponseCode).toBe('00');
    const retry = await t.http().post(`/api/v1/batches/${batchId}/retry`).set(as(w.source));
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ retryOf: batchId, instructionCount: 2 });
    const retryId = retry.body.batchId as string;
    expect(retryId).not.toBe(batchId);
    const second = await waitForFinal(t, retryId);
    expect(second).toMatchObject({
      state: 'completed',
      origin: 'retry',
      retry_of: batchId,
      ready_amount: '3500',
      posted_amount: '3500',
      reserved_amount: '0',
    });
    expect((await instructionRows(t, retryId)).map((r) => [r.instruction_id, r.state])).toEqual([
      [failedId, 'completed'],
      [lateId, 'completed'],
    ]);
    for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBe(1);
    const cb = await callbackFor(retryId);
    expect(cb.path).toBe('/bulk');
    expect(cb.body).toMatchObject({ status: 'completed', completed: 2, failed: 0 });

    const again = await t.http().post(`/api/v1/batches/${batchId}/retry`).set(as(w.source));
    expect(again.status).toBe(409);
    const ofRetry = await t.http().post(`/api/v1/batches/${retryId}/retry`).set(as(w.source));
    expect(ofRetry.status).toBe(409);
    expect(await countBatches(w)).toBe(2);
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({
      debits_pending: '0',
      debits_posted: '7500',
      credits_posted: '10000000',
    });
    expect(await accountBalances(t, w.settlementAccountId)).toMatchObject({
      credits_pending: '0',
      credits_posted: '7500',
    });
  });

  it('11. with status pushes lost, the server polls the FSP and the batch completes, one sub-batch in flight at a time', async () => {
    const w = await world({ maxInFlight: 1 });
    const { ids } = await payees(w, 3);
    fsp.configure({ pushDisabled: true });
    const body = v1Batch(
      w,
      ids.map((p) => ({ payee: p, amount: 3 })),
    );
    const res = await t.http().post('/bulk-payment').set(as(w.source)).send(body);
    const batchId = res.body.PaymentsBatchID as string;
    const done = await waitForFinal(t, batchId, 15_000);
    expect(done).toMatchObject({ state: 'completed', posted_amount: '900', reserved_amount: '0' });
    const subs = (await t.ds.query(
      `SELECT id, state, polled_at, completed_at FROM sub_batches WHERE batch_id = $1 ORDER BY seq`,
      [batchId],
    )) as {
      id: string;
      state: string;
      polled_at: Date | null;
      completed_at: Date;
    }[];
    expect(subs.map((s) => s.state)).toEqual(['completed', 'completed']);
    expect(subs.every((s) => s.polled_at !== null)).toBe(true);
    for (const s of subs) expect(fsp.subBatches.get(s.id)?.pushedInstructions).toBe(0);
    // maxInFlight 1: the second sub-batch went to the FSP only once the first had settled.
    expect(fsp.subBatches.get(subs[1].id)!.receivedAt).toBeGreaterThanOrEqual(subs[0].completed_at.getTime());
    for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBe(1);
  });

  it('11b. a poll that finds instructions still accepted (ACCP) polls again later and then settles them', async () => {
    const w = await world();
    const { ids } = await payees(w, 2);
    fsp.configure({ pushDisabled: true, latencyMs: 2500 }); // the first poll (after 1 s) finds ACCP
    const body = v1Batch(
      w,
      ids.map((p) => ({ payee: p, amount: 6 })),
    );
    const res = await t.http().post('/bulk-payment').set(as(w.source)).send(body);
    const batchId = res.body.PaymentsBatchID as string;
    await eventually(async () => (await instructionRows(t, batchId)).every((r) => r.state === 'accepted'));
    expect((await batchRow(t, batchId)).reserved_amount).toBe('1200');
    const done = await waitForFinal(t, batchId, 15_000);
    expect(done).toMatchObject({ state: 'completed', posted_amount: '1200', reserved_amount: '0' });
    for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBe(1);
  });

  it('12. a sub-batch refused as a whole fails its instructions NARR with the reason and releases their funds', async () => {
    const w = await world();
    const { ids } = await payees(w, 3);
    fsp.configure({ refuseSubBatches: 'Disbursement account frozen' });
    const body = v1Batch(
      w,
      ids.map((p, i) => ({ payee: p, amount: 1 + i })),
    );
    const res = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .set('X-Callback-URL', `${sink.url}/bulk`)
      .send(body);
    const batchId = res.body.PaymentsBatchID as string;
    const done = await waitForFinal(t, batchId);
    expect(done).toMatchObject({
      state: 'failed',
      posted_amount: '0',
      released_amount: '600',
      reserved_amount: '0',
      reservation_id: null,
    });
    const rows = await instructionRows(t, batchId);
    for (const r of rows) {
      expect(r).toMatchObject({ state: 'failed', reason_code: 'NARR' });
      expect(r.reason).toContain('Disbursement account frozen');
    }
    const subs = (await t.ds.query(`SELECT state, last_error FROM sub_batches WHERE batch_id = $1`, [
      batchId,
    ])) as { state: string; last_error: string }[];
    expect(subs.map((s) => s.state)).toEqual(['rejected', 'rejected']);
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({
      debits_pending: '0',
      debits_posted: '0',
    });
    expect(fspSubBatchesOf(batchId)).toHaveLength(0);
    const cb = await callbackFor(batchId);
    expect(cb.body).toMatchObject({ status: 'failed', failed: 3 });
    expect(
      (cb.body as { failedInstructions: { reasonCode: string }[] }).failedInstructions.map(
        (f) => f.reasonCode,
      ),
    ).toEqual(['NARR', 'NARR', 'NARR']);
  });

  it('13. a scheduled batch reserves nothing before X-Execute-At and completes after it', async () => {
    const w = await world();
    const { ids } = await payees(w, 2);
    const at = new Date(Date.now() + 2000);
    const body = v1Batch(
      w,
      ids.map((p) => ({ payee: p, amount: 4 })),
    );
    const res = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .set('X-Execute-At', at.toISOString())
      .send(body);
    expect(res.status).toBe(200);
    const batchId = res.body.PaymentsBatchID as string;
    const scheduled = await waitForBatch(t, batchId, (b) => b.state === 'scheduled');
    expect(scheduled.reserved_amount).toBe('0');
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({ debits_pending: '0' });
    await sleep(Math.max(0, at.getTime() - Date.now() - 400));
    expect(await batchRow(t, batchId)).toMatchObject({ state: 'scheduled', reservation_id: null });
    expect(fspSubBatchesOf(batchId)).toHaveLength(0);
    const done = await waitForFinal(t, batchId);
    expect(done).toMatchObject({ state: 'completed', posted_amount: '800' });
    const [{ finished }] = (await t.ds.query(
      `SELECT min(finished_at) AS finished FROM batch_instructions WHERE batch_id = $1`,
      [batchId],
    )) as {
      finished: Date;
    }[];
    expect(finished.getTime()).toBeGreaterThanOrEqual(at.getTime());
    expect(Math.min(...fspSubBatchesOf(batchId).map((s) => s.receivedAt))).toBeGreaterThanOrEqual(
      at.getTime(),
    );
  });

  it('14. after a mixed run the ledger reconciles and every batch settled its reservation exactly', async () => {
    const w = await world({ subBatchSize: 2 });
    const { ids, addresses } = await payees(w, 6);
    fsp.setAccount(addresses[5], { status: 'closed' });

    // D: authorized never, cancelled while its funds are reserved.
    fsp.configure({ authorization: 'pending' });
    const d = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .send(v1Batch(w, [{ payee: ids[0], amount: 9 }]));
    const dId = d.body.PaymentsBatchID as string;
    await waitForBatch(t, dId, (b) => b.state === 'funds_reserved');
    expect(
      (await t.http().post(`/api/v1/batches/${dId}/cancel`).set(as(w.operator)).send({ reason: 'held' }))
        .status,
    ).toBe(200);
    fsp.configure({ authorization: 'Y' });

    // A: all paid; B: one closed account; C: an unknown payee and a bad amount beside a good one.
    const a = v1Batch(
      w,
      ids.slice(0, 4).map((p, i) => ({ payee: p, amount: 10 + i })),
    );
    const b = v1Batch(w, [
      { payee: ids[4], amount: 5 },
      { payee: ids[5], amount: 6 },
    ]);
    const c = v1Batch(w, [
      { payee: ids[0], amount: 7 },
      { payee: 'NOTREGISTERED0000001', amount: 8 },
      { payee: ids[1], amount: '1.001' },
    ]);
    const sent = await Promise.all(
      [a, b, c].map((x) => t.http().post('/bulk-payment').set(as(w.source)).send(x)),
    );
    const [aId, bId, cId] = sent.map((r) => r.body.PaymentsBatchID as string);
    const states = await Promise.all([aId, bId, cId].map((id) => waitForFinal(t, id)));
    expect(states.map((s) => s.state)).toEqual(['completed', 'partially_completed', 'partially_completed']);

    // E: refused by the FSP as a whole.
    fsp.configure({ refuseSubBatches: 'Scheme closed' });
    const e = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .send(v1Batch(w, [{ payee: ids[2], amount: 2 }]));
    const eId = e.body.PaymentsBatchID as string;
    expect((await waitForFinal(t, eId)).state).toBe('failed');
    fsp.configure({ refuseSubBatches: undefined });

    // F: B's failed instruction again, once the account is open.
    fsp.setAccount(addresses[5], { status: 'open' });
    const retry = await t.http().post(`/api/v1/batches/${bId}/retry`).set(as(w.operator));
    expect(retry.status).toBe(201);
    expect((await waitForFinal(t, retry.body.batchId as string)).state).toBe('completed');

    // G: a large batch, many sub-batches in flight, random FSP failures, statuses pushed in small chunks.
    fsp.configure({ failureRate: 0.2, pushChunkSize: 7 });
    const big = Array.from({ length: 120 }, (_, i) =>
      v3Item(
        [{ key: 'msisdn', value: uniqueMsisdn() }],
        `${1 + (i % 9)}.${String(i % 100).padStart(2, '0')}`,
      ),
    );
    const g = await t
      .http()
      .post('/batchtransactions?type=raw')
      .set(as(w.source))
      .set('X-CorrelationID', `big-${id12()}`)
      .set('X-Program-Id', w.programCode)
      .send(big);
    expect(g.status).toBe(202);
    const gId = g.body.batchId as string;
    const gDone = await waitForFinal(t, gId, 30_000);
    fsp.configure({ failureRate: 0, pushChunkSize: 1000 });
    expect(gDone.state).toBe('partially_completed');
    expect(fspSubBatchesOf(gId).length).toBe(60);
    const gRows = await instructionRows(t, gId);
    expect(gRows.filter((r) => r.state === 'failed').every((r) => r.reason_code === 'MS03')).toBe(true);
    for (const i of big)
      expect(fsp.executions().get(i.requestId) ?? 0).toBe(
        gRows.find((r) => r.instruction_id === i.requestId)!.state === 'completed' ? 1 : 0,
      );

    const rec = await t.http().get('/ledger/reconciliation').set(as(w.operator));
    expect(rec.status).toBe(200);
    expect(rec.body.ok).toBe(true);
    expect(rec.body.discrepancies).toEqual([]);
    for (const cur of rec.body.currencies as { balanced: boolean }[]) expect(cur.balanced).toBe(true);

    const batches = await tenantBatches(t, w);
    expect(batches).toHaveLength(7);
    let posted = 0n;
    for (const x of batches) {
      expect({ id: x.id, reserved: x.reserved_amount, reservation: x.reservation_id }).toEqual({
        id: x.id,
        reserved: '0',
        reservation: null,
      });
      expect(BigInt(x.posted_amount) + BigInt(x.released_amount)).toBe(BigInt(x.ready_amount));
      // Posted is exactly what the FSP paid, released exactly what did not get paid.
      const [sums] = (await t.ds.query(
        `SELECT COALESCE(sum(amount) FILTER (WHERE state = 'completed'), 0)::text AS paid,
                COALESCE(sum(amount) FILTER (WHERE state IN ('failed','cancelled') AND sub_batch_id IS NOT NULL OR state = 'cancelled'), 0)::text AS unpaid
         FROM batch_instructions WHERE batch_id = $1`,
        [x.id],
      )) as { paid: string; unpaid: string }[];
      expect({ id: x.id, posted: x.posted_amount }).toEqual({ id: x.id, posted: sums.paid });
      expect({ id: x.id, released: x.released_amount }).toEqual({ id: x.id, released: sums.unpaid });
      posted += BigInt(x.posted_amount);
    }
    const gPaid = gRows.filter((r) => r.state === 'completed').reduce((n, r) => n + BigInt(r.amount!), 0n);
    expect(posted).toBe(4600n + 500n + 700n + 600n + gPaid);
    expect(await accountBalances(t, w.fundingAccountId)).toMatchObject({
      debits_pending: '0',
      debits_posted: posted.toString(),
    });
    expect(await accountBalances(t, w.settlementAccountId)).toMatchObject({
      credits_pending: '0',
      credits_posted: posted.toString(),
    });
  });

  it('15. a batch whose pipeline job failed for good is picked up again by the sweeper once the fault is gone', async () => {
    const w = await world();
    const { ids } = await payees(w, 2);
    // A fault the queue cannot retry away: every split of this tenant's batches fails until the trigger is dropped.
    const fn = `test_fail_${w.tenantId.replace(/-/g, '_')}`;
    await t.ds.query(
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$`,
    );
    await t.ds.query(
      `CREATE TRIGGER ${fn} BEFORE INSERT ON sub_batches FOR EACH ROW WHEN (NEW.tenant_id = '${w.tenantId}') EXECUTE FUNCTION ${fn}()`,
    );
    let dropped = false;
    const drop = async () => {
      if (dropped) return;
      dropped = true;
      await t.ds.query(`DROP TRIGGER ${fn} ON sub_batches`);
      await t.ds.query(`DROP FUNCTION ${fn}()`);
    };
    try {
      const body = v1Batch(
        w,
        ids.map((p) => ({ payee: p, amount: 5 })),
      );
      const res = await t.http().post('/bulk-payment').set(as(w.source)).send(body);
      const batchId = res.body.PaymentsBatchID as string;
      const queue = t.app.get<Queue>(getQueueToken(BULK_QUEUE));
      // The job runs its attempts (Bull's own retries, 1 s then 2 s apart) and ends failed.
      await eventually(
        async () => !!(await (await queue.getJob(`advance:${batchId}:now`))?.isFailed()),
        10_000,
      );
      expect(await batchRow(t, batchId)).toMatchObject({ state: 'funds_reserved', reserved_amount: '1000' });
      expect(fspSubBatchesOf(batchId)).toHaveLength(0);
      await drop();
      const done = await waitForFinal(t, batchId, 5_000);
      expect(done).toMatchObject({ state: 'completed', posted_amount: '1000', reserved_amount: '0' });
      for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBe(1);
    } finally {
      await drop();
    }
  });
});
