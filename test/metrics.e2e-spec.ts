import { ModulesContainer } from '@nestjs/core';
import { APP_QUEUES } from '../apps/payments-bb/src/bootstrap/app-queues';
import { startPayerFsp, PayerFspSimulator } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { startCallbackReceiver, CallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { as, createBulkWorld, registerPayees, v1Batch, waitForBatch } from './support/bulk-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const TOKEN = 'metrics-token-for-the-tests-0123456789abcdef';

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const l = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics (Prometheus)', () => {
  let t: TestApp;
  let fsp: PayerFspSimulator;
  let sink: CallbackReceiver;

  beforeAll(async () => {
    fsp = await startPayerFsp({ port: 0 });
    sink = await startCallbackReceiver({ port: 0 });
    t = await createTestApp({ METRICS_TOKEN: TOKEN, BULK_SWEEP_INTERVAL_MS: '300' });
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.config.env.PUBLIC_BASE_URL = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await t?.close();
    await fsp?.close();
    await sink?.close();
  });

  const scrape = async () => {
    const res = await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    return res.text;
  };

  it('needs the metrics token', async () => {
    expect((await t.http().get('/metrics')).status).toBe(401);
    expect((await t.http().get('/metrics').set('Authorization', 'Bearer wrong')).status).toBe(401);
  });

  it('shows HTTP latency per route pattern, queue depths, batches, callbacks and reservations moving after a batch', async () => {
    const before = await scrape();
    const w = await createBulkWorld(t, { fspUrl: fsp.url, callbackBase: sink.url, funding: '1000.00' });
    fsp.configure({ pbbApiKey: w.fsp.apiKey, tenantId: w.tenantId });
    const payees = await registerPayees(t, w, [{ modality: '01', address: '+255712345678' }]);
    const res = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .set('X-Callback-URL', `${sink.url}/bulk`)
      .send(v1Batch(w, [{ payee: payees[0], amount: 10 }]));
    expect(res.status).toBe(200);
    await waitForBatch(t, res.body.PaymentsBatchID, (b) => b.state === 'completed');
    await sink.waitFor((c) => c.path === '/bulk');
    // The delivery row is marked delivered just after the receiver answered.
    let after = await scrape();
    for (
      let i = 0;
      i < 50 && !(sample(after, 'pbb_callback_deliveries', { status: 'delivered' }) ?? 0);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
      after = await scrape();
    }

    // Job metrics are observed in the process that ran the job (this one: ROLE=all). Only the bulk queue is
    // certain to run here: the callback delivery may be picked up by the recovery pass of another test file's
    // application sharing payments_test, and delivered by that process.
    const delta = (name: string, labels: Record<string, string>) =>
      (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    const bulk = { queue: 'bulk', outcome: 'completed' };
    expect(delta('pbb_queue_jobs_total', bulk)).toBeGreaterThanOrEqual(1);
    expect(delta('pbb_queue_job_duration_seconds_count', bulk)).toBeGreaterThanOrEqual(1);
    expect(delta('pbb_queue_job_duration_seconds_sum', bulk)).toBeGreaterThan(0);
    expect(sample(after, 'pbb_queue_job_duration_seconds_bucket', { ...bulk, le: '+Inf' })).toBe(
      sample(after, 'pbb_queue_job_duration_seconds_count', bulk),
    );
    // Every queue's series exists before its first job, so rate() sees the first one.
    for (const queue of APP_QUEUES)
      for (const outcome of ['completed', 'failed'])
        expect(sample(after, 'pbb_queue_jobs_total', { queue, outcome })).toBeDefined();
    expect(delta('pbb_bulk_instructions_settled_total', { outcome: 'completed' })).toBe(1);

    const posts = (text: string) =>
      sample(text, 'pbb_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/bulk-payment',
        status: '2xx',
      }) ?? 0;
    expect(posts(after) - posts(before)).toBe(1);
    expect(
      (sample(after, 'pbb_batches', { state: 'completed' }) ?? 0) -
        (sample(before, 'pbb_batches', { state: 'completed' }) ?? 0),
    ).toBe(1);
    expect(sample(after, 'pbb_callback_deliveries', { status: 'delivered' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'pbb_queue_jobs', { queue: 'bulk', state: 'waiting' })).toBeDefined();
    expect(sample(after, 'pbb_ledger_reserved_minor_units', { currency: 'TZS' })).toBe(0);
    // IDs never become labels: no series names a batch.
    expect(after).not.toContain(res.body.PaymentsBatchID);
  });

  it('covers every Bull queue the application registers (APP_QUEUES is the one list)', () => {
    const tokens = new Set<string>();
    for (const module of t.app.get(ModulesContainer).values())
      for (const token of module.providers.keys())
        if (typeof token === 'string' && token.startsWith('BullQueue_'))
          tokens.add(token.slice('BullQueue_'.length));
    // `health` holds no jobs: it only lends the health check a Redis connection.
    expect([...tokens].filter((n) => n !== 'health').sort()).toEqual([...APP_QUEUES].sort());
  });
});
