import { INestApplicationContext } from '@nestjs/common';
import { createServer } from 'node:net';
import { AppConfig } from '@app/platform';
import { createWorkerContext } from '../apps/payments-bb/src/bootstrap/configure-app';
import { startPayerFsp, PayerFspSimulator } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { as, createBulkWorld, registerPayees, v1Batch, waitForFinal } from './support/bulk-fixtures';
import { createTestApp, TestApp, uniqueQueuePrefix } from './support/test-app';
import { TEST_ENV } from './support/test-env';

const TOKEN = 'metrics-port-token-for-the-tests-0123456789';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A split deployment (ROLE=api and ROLE=worker, as docker-compose runs it): the jobs run in the worker, so their
 * metrics exist only there, and METRICS_PORT is how Prometheus reaches them.
 */
describe('METRICS_PORT: metrics of a worker-only process', () => {
  let api: TestApp;
  let worker: INestApplicationContext;
  let fsp: PayerFspSimulator;
  let port: number;

  beforeAll(async () => {
    const prefix = uniqueQueuePrefix();
    fsp = await startPayerFsp({ port: 0 });
    port = await freePort();
    const common = { LOG_LEVEL: 'silent', QUEUE_PREFIX: prefix, METRICS_TOKEN: TOKEN, BULK_SWEEP_INTERVAL_MS: '300' };
    api = await createTestApp({ ...common, ROLE: 'api' });
    const server = api.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const publicUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    api.config.env.PUBLIC_BASE_URL = publicUrl;
    worker = await createWorkerContext(
      AppConfig.load({ ...TEST_ENV, ...common, ROLE: 'worker', METRICS_PORT: String(port), PUBLIC_BASE_URL: publicUrl }),
    );
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await fsp?.close();
  });

  const scrape = (auth?: string) =>
    fetch(`http://127.0.0.1:${port}/metrics`, { headers: auth ? { Authorization: auth } : {} });

  it('serves /metrics on its own port with the token, and nothing else there', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('Bearer wrong')).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/text\/plain/);
  });

  it('counts the jobs the worker ran for a batch the API took', async () => {
    const w = await createBulkWorld(api, { fspUrl: fsp.url, funding: '100.00' });
    fsp.configure({ pbbApiKey: w.fsp.apiKey, tenantId: w.tenantId });
    const [payee] = await registerPayees(api, w, [{ modality: '01', address: '+255712345699' }]);
    const body = v1Batch(w, [{ payee, amount: '5.00' }]);
    await api.http().post('/bulk-payment').set(as(w.source)).send(body).expect(200);
    const [{ id }] = await api.ds.query(`SELECT id FROM batches WHERE tenant_id = $1`, [w.tenantId]);
    expect((await waitForFinal(api, id)).state).toBe('completed');
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    const line = text.split('\n').find((l) => l.startsWith('pbb_queue_jobs_total{') && l.includes('queue="bulk"') && l.includes('outcome="completed"'));
    expect(Number(line?.split(' ').pop())).toBeGreaterThan(0);
    expect(text).toMatch(/pbb_queue_job_duration_seconds_count\{[^}]*queue="bulk"[^}]*\} [1-9]/);
  });
});
