import Redis from 'ioredis';
import { CallbackReceiver, startCallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { createParticipant, createTenant, functionalId, id12 } from './support/factories';
import { MSISDN } from './support/mapper-fixtures';
import { createTestApp, uniqueQueuePrefix } from './support/test-app';
import { TEST_ENV } from './support/test-env';

/**
 * Redis keeps nothing on disk here, so a v3 request accepted by an API process must be found again in
 * the database by whichever worker starts next, and its callback still delivered.
 */
describe('Account mapper v3 across a restart', () => {
  let receiver: CallbackReceiver;
  beforeAll(async () => (receiver = await startCallbackReceiver()));
  afterAll(() => receiver.close());

  it('processes a request accepted while no worker ran, after its queued job was lost', async () => {
    const prefix = uniqueQueuePrefix();
    const api = await createTestApp({ ROLE: 'api', QUEUE_PREFIX: prefix });
    const tenantId = await createTenant(api.ds);
    const source = await createParticipant(api, {
      tenantId,
      kind: 'source_bb',
      callbackBases: [`${receiver.url}/restart/`],
    });
    const fid = functionalId();
    const requestId = id12('R');
    const url = `${receiver.url}/restart/${requestId}`;
    await api
      .http()
      .post('/identityAccountMapper/beneficiary')
      .set('X-API-Key', source.apiKey)
      .set('X-Callback-URL', url)
      .set('X-Registering-Institution-ID', source.code)
      .send({
        RequestID: requestId,
        Beneficiaries: [{ payeeIdentity: fid, PaymentModality: '01', FinancialAddress: MSISDN }],
      })
      .expect(200);
    await api.close();

    // The job sat in Redis; lose it, as a Redis restart would.
    const redis = new Redis(TEST_ENV.REDIS_URL);
    const keys = await redis.keys(`${prefix}:mapper:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    redis.disconnect();

    const worker = await createTestApp({ ROLE: 'all', QUEUE_PREFIX: prefix });
    try {
      const cb = await receiver.waitFor(
        (c) => c.path === `/restart/${requestId}` && c.status === 200,
        20_000,
      );
      expect(cb.body).toMatchObject({ registerRequestID: requestId, numberFailedCases: 0, failedCases: [] });
      const [row] = (await worker.ds.query(
        `SELECT status FROM mapper_requests WHERE tenant_id = $1 AND request_id = $2`,
        [tenantId, requestId],
      )) as { status: string }[];
      expect(row.status).toBe('completed');
    } finally {
      await worker.close();
    }
  }, 60_000);
});
