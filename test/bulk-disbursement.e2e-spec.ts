import { startCallbackReceiver, CallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { startPayerFsp, PayerFspSimulator } from '../apps/simulators/src/payer-fsp/payer-fsp';
import {
  accountBalances,
  as,
  BulkWorld,
  createBulkWorld,
  registerPayees,
  summary,
  v1Batch,
  waitForBatch,
} from './support/bulk-fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { MSISDN, VALID_IBAN } from './support/mapper-fixtures';

describe('Bulk disbursement through the payer FSP simulator', () => {
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
    });
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    t.config.env.PUBLIC_BASE_URL = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await t.close();
    await fsp.close();
    await sink.close();
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

  it('pays every instruction, settles the ledger and sends one final callback', async () => {
    const w = await world();
    const payees = await registerPayees(t, w, [
      { modality: '00', address: VALID_IBAN, institution: 'ABNANL2A' },
      { modality: '01', address: MSISDN },
      { modality: '01', address: '+255712345679' },
    ]);
    const body = v1Batch(w, [
      { payee: payees[0], amount: 100.5 },
      { payee: payees[1], amount: 20 },
      { payee: payees[2], amount: '30.25' },
    ]);
    const res = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .set('X-Callback-URL', `${sink.url}/bulk`)
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ResponseCode: '00', RequestID: body.RequestID, BatchID: body.BatchID });
    const batchId = res.body.PaymentsBatchID as string;
    const done = await waitForBatch(t, batchId, (b) =>
      ['completed', 'partially_completed', 'failed'].includes(b.state),
    );
    expect(done.state).toBe('completed');
    expect(done.posted_amount).toBe('15075');
    expect(done.reserved_amount).toBe('0');
    const funding = await accountBalances(t, w.fundingAccountId);
    expect(funding).toMatchObject({
      debits_pending: '0',
      debits_posted: '15075',
      credits_posted: '10000000',
    });
    const cb = await sink.waitFor(
      (c) => c.path === '/bulk' && (c.body as { batchId: string }).batchId === batchId,
    );
    expect(cb.body).toMatchObject({
      status: 'completed',
      TotalTransactions: 3,
      completed: 3,
      failed: 0,
      totalAmount: 150.75,
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.received.filter((c) => (c.body as { batchId?: string })?.batchId === batchId)).toHaveLength(
      1,
    );
    for (const i of body.CreditInstructions) expect(fsp.executions().get(i.InstructionID)).toBe(1);
  });

  it('reports partial failures with reasons and releases their funds', async () => {
    const w = await world();
    fsp.setAccount('+255700000001', { status: 'closed' });
    const payees = await registerPayees(t, w, [
      { modality: '01', address: '+255700000001' },
      { modality: '01', address: '+255700000002' },
    ]);
    const body = v1Batch(w, [
      { payee: payees[0], amount: 10 },
      { payee: payees[1], amount: 20 },
      { payee: 'NOTREGISTERED0000001', amount: 5 },
      { payee: payees[1], amount: '1.234' },
    ]);
    const res = await t
      .http()
      .post('/bulk-payment')
      .set(as(w.source))
      .set('X-Callback-URL', `${sink.url}/bulk`)
      .send(body);
    expect(res.status).toBe(200);
    const batchId = res.body.PaymentsBatchID as string;
    const done = await waitForBatch(t, batchId, (b) =>
      ['completed', 'partially_completed', 'failed'].includes(b.state),
    );
    expect(done).toMatchObject({
      state: 'partially_completed',
      posted_amount: '2000',
      released_amount: '1000',
      reserved_amount: '0',
    });
    const cb = await sink.waitFor((c) => (c.body as { batchId?: string })?.batchId === batchId);
    const failed = (cb.body as { failedInstructions: { instructionId: string; reasonCode: string }[] })
      .failedInstructions;
    expect(failed.map((f) => f.reasonCode).sort()).toEqual(['AC04', 'AM12', 'BE06']);
    const s = await summary(t, w, batchId);
    expect(s.status).toBe(200);
  });
});
