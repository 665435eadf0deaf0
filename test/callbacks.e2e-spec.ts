import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CallbacksService, ScheduleCallback, verifyCallbackSignature } from '@app/callbacks';
import { CallbackReceiver, startCallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { createParticipant, createTenant, TestParticipant } from './support/factories';
import { createTestApp, TestApp, uniqueQueuePrefix } from './support/test-app';
import { createDatabase, dropDatabase } from './support/databases';
import { TEST_DATABASE_URL } from './support/test-env';

interface DeliveryRow {
  status: string;
  attempts: number;
  max_attempts: number;
  last_status_code: number | null;
}

interface AttemptRow {
  attempt_no: number;
  outcome: string;
  status_code: number | null;
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function row(ds: DataSource, id: string): Promise<DeliveryRow> {
  const [r] = (await ds.query(
    `SELECT status, attempts, max_attempts, last_status_code FROM callback_deliveries WHERE id = $1`,
    [id],
  )) as DeliveryRow[];
  return r;
}

function attemptsOf(ds: DataSource, id: string): Promise<AttemptRow[]> {
  return ds.query(
    `SELECT attempt_no, outcome, status_code FROM callback_attempts WHERE delivery_id = $1 ORDER BY attempt_no`,
    [id],
  ) as Promise<AttemptRow[]>;
}

function statusIs(ds: DataSource, id: string, status: string, timeoutMs?: number): Promise<DeliveryRow> {
  return eventually(
    `delivery ${id} to be ${status}`,
    async () => {
      const r = await row(ds, id);
      return r.status === status ? r : undefined;
    },
    timeoutMs,
  );
}

/** How feature modules use the library: schedule in their transaction, dispatch after commit. */
async function scheduleAndDispatch(t: TestApp, cb: ScheduleCallback): Promise<string> {
  const callbacks = t.app.get(CallbacksService);
  const id = await t.ds.transaction((m) => callbacks.schedule(m, cb));
  await callbacks.dispatch([id]);
  return id;
}

/** Each test uses its own path under the recipient's base, so the shared receiver's log can be told apart. */
const uniquePath = () => `/cb/${randomBytes(4).toString('hex')}`;

describe('Callbacks (e2e)', () => {
  let t: TestApp;
  let rx: CallbackReceiver;
  let tenantId: string;
  let recipient: TestParticipant;
  let operator: TestParticipant;

  const callback = (
    path: string,
    payload: unknown = { requestId: 'R1', status: 'completed' },
  ): ScheduleCallback => ({
    tenantId,
    participantId: recipient.id,
    url: `${rx.url}${path}`,
    eventType: 'test.completed',
    payload,
  });

  beforeAll(async () => {
    rx = await startCallbackReceiver();
    t = await createTestApp();
    tenantId = await createTenant(t.ds);
    recipient = await createParticipant(t, { tenantId, kind: 'source_bb', callbackBases: [`${rx.url}/cb`] });
    operator = await createParticipant(t, { tenantId, kind: 'operator' });
  });

  afterAll(async () => {
    await t?.close();
    await rx?.close();
  });

  beforeEach(() => {
    rx.setDown(false);
    rx.failNext(0);
  });

  it('delivers a signed callback with correlation, date and delivery headers', async () => {
    const path = `${uniquePath()}?ref=42`;
    const payload = { requestId: 'R1', nested: { amount: '10.00', list: [1, 2] }, text: 'héllo' };
    const id = await scheduleAndDispatch(t, {
      ...callback(path, payload),
      correlationId: 'corr-e2e-1',
      method: 'PUT',
    });

    const got = await rx.waitFor((c) => c.headers['x-callback-id'] === id);
    expect(got.method).toBe('PUT');
    expect(got.path).toBe(path);
    expect(got.body).toEqual(payload);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-correlationid']).toBe('corr-e2e-1');
    expect(got.headers['x-callback-attempt']).toBe('1');
    expect(got.headers['x-callback-event']).toBe('test.completed');
    expect(Math.abs(Date.parse(String(got.headers['x-date'])) - Date.now())).toBeLessThan(60_000);
    expect(
      verifyCallbackSignature(recipient.callbackSecret, String(got.headers['x-signature']), got.rawBody),
    ).toBe(true);
    expect(
      verifyCallbackSignature(operator.callbackSecret, String(got.headers['x-signature']), got.rawBody),
    ).toBe(false);

    const done = await statusIs(t.ds, id, 'delivered');
    expect(done).toMatchObject({ attempts: 1, last_status_code: 200 });
    expect(await attemptsOf(t.ds, id)).toEqual([{ attempt_no: 1, outcome: 'delivered', status_code: 200 }]);
  });

  it('retries while the receiver is down and delivers once it is back, recording every attempt', async () => {
    rx.setDown(true);
    const id = await scheduleAndDispatch(t, callback(uniquePath()));
    await eventually('two failed attempts', async () =>
      (await attemptsOf(t.ds, id)).length >= 2 ? true : undefined,
    );
    rx.setDown(false);

    await statusIs(t.ds, id, 'delivered');
    const attempts = await attemptsOf(t.ds, id);
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.map((a) => a.attempt_no)).toEqual(attempts.map((_, i) => i + 1));
    expect(attempts.slice(0, -1).every((a) => a.outcome === 'http_error' && a.status_code === 503)).toBe(
      true,
    );
    expect(attempts[attempts.length - 1]).toMatchObject({ outcome: 'delivered', status_code: 200 });
    const seen = rx.received.filter((c) => c.headers['x-callback-id'] === id);
    expect(seen.map((c) => c.headers['x-callback-attempt'])).toEqual(
      attempts.map((a) => String(a.attempt_no)),
    );
  });

  it('keeps a delivery that exhausts its attempts as failed; an operator re-send delivers it', async () => {
    rx.setDown(true);
    const id = await scheduleAndDispatch(t, callback(uniquePath()));
    const failed = await statusIs(t.ds, id, 'failed');
    const max = t.config.env.CALLBACK_MAX_ATTEMPTS;
    expect(failed).toMatchObject({ attempts: max, max_attempts: max, last_status_code: 503 });
    expect(await attemptsOf(t.ds, id)).toHaveLength(max);

    rx.setDown(false);
    const res = await t
      .http()
      .post(`/callbacks/deliveries/${id}/resend`)
      .set('X-API-Key', operator.apiKey)
      .expect(200);
    expect(res.body).toMatchObject({ id, status: 'pending', attempts: max, maxAttempts: 2 * max });
    const audited = await t.ds.query(`SELECT actor_id FROM audit_log WHERE action = 'callback.resend' AND object_id = $1`, [id]);
    expect(audited).toEqual([{ actor_id: operator.id }]);

    await statusIs(t.ds, id, 'delivered');
    const detail = await t
      .http()
      .get(`/callbacks/deliveries/${id}`)
      .set('X-API-Key', operator.apiKey)
      .expect(200);
    expect(detail.body).toMatchObject({ id, status: 'delivered', attempts: max + 1, lastStatusCode: 200 });
    expect(detail.body.attemptHistory).toHaveLength(max + 1);
    expect(detail.body.attemptHistory[max]).toMatchObject({
      attemptNo: max + 1,
      outcome: 'delivered',
      statusCode: 200,
    });

    // Only finished deliveries can be re-sent; this one is now delivered, so a second re-send is fine too.
    await t.http().post(`/callbacks/deliveries/${id}/resend`).set('X-API-Key', operator.apiKey).expect(200);
    await statusIs(t.ds, id, 'delivered');
  });

  it('lists deliveries newest first with filters, and never shows the signing secret', async () => {
    const first = await scheduleAndDispatch(t, callback(uniquePath()));
    const second = await scheduleAndDispatch(t, { ...callback(uniquePath()), eventType: 'test.other' });
    await statusIs(t.ds, first, 'delivered');
    await statusIs(t.ds, second, 'delivered');

    const all = await t.http().get('/callbacks/deliveries').set('X-API-Key', operator.apiKey).expect(200);
    const ids = (all.body.items as { id: string }[]).map((d) => d.id);
    expect(ids.indexOf(second)).toBeLessThan(ids.indexOf(first));
    expect(all.body).toMatchObject({ limit: 50, offset: 0 });
    expect(JSON.stringify(all.body)).not.toContain(recipient.callbackSecret);

    const other = await t
      .http()
      .get('/callbacks/deliveries?eventType=test.other&status=delivered&limit=10')
      .set('X-API-Key', operator.apiKey)
      .expect(200);
    expect((other.body.items as { id: string }[]).map((d) => d.id)).toEqual([second]);
    expect(other.body.items[0]).toMatchObject({
      eventType: 'test.other',
      payload: { requestId: 'R1' },
      participantId: recipient.id,
    });

    const paged = await t
      .http()
      .get('/callbacks/deliveries?limit=1&offset=1')
      .set('X-API-Key', operator.apiKey)
      .expect(200);
    expect(paged.body.items).toHaveLength(1);
    expect(paged.body.items[0].id).toBe(ids[1]);
  });

  it('validates query and path parameters', async () => {
    const key = operator.apiKey;
    await t.http().get('/callbacks/deliveries?status=lost').set('X-API-Key', key).expect(400);
    await t.http().get('/callbacks/deliveries?limit=0').set('X-API-Key', key).expect(400);
    await t.http().get('/callbacks/deliveries?limit=abc').set('X-API-Key', key).expect(400);
    await t.http().get('/callbacks/deliveries?unknown=1').set('X-API-Key', key).expect(400);
    await t.http().get('/callbacks/deliveries/not-a-uuid').set('X-API-Key', key).expect(400);
    await t
      .http()
      .get(`/callbacks/deliveries/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)
      .set('X-API-Key', key)
      .expect(404);
  });

  it('refuses a re-send while a delivery is still being retried', async () => {
    rx.setDown(true);
    const id = await scheduleAndDispatch(t, callback(uniquePath()));
    await eventually('a failed attempt', async () =>
      (await attemptsOf(t.ds, id)).length >= 1 ? true : undefined,
    );
    const res = await t.http().post(`/callbacks/deliveries/${id}/resend`).set('X-API-Key', operator.apiKey);
    // pending or delivering, depending on the moment; both are refused.
    expect(res.status).toBe(409);
    rx.setDown(false);
    await statusIs(t.ds, id, 'delivered');
  });

  it('keeps tenants apart: another tenant’s operator cannot see or re-send a delivery', async () => {
    const id = await scheduleAndDispatch(t, callback(uniquePath()));
    await statusIs(t.ds, id, 'delivered');
    const otherTenant = await createTenant(t.ds);
    const stranger = await createParticipant(t, { tenantId: otherTenant, kind: 'operator' });

    await t.http().get(`/callbacks/deliveries/${id}`).set('X-API-Key', stranger.apiKey).expect(404);
    await t.http().post(`/callbacks/deliveries/${id}/resend`).set('X-API-Key', stranger.apiKey).expect(404);
    const list = await t.http().get('/callbacks/deliveries').set('X-API-Key', stranger.apiKey).expect(200);
    expect(list.body.items).toEqual([]);
    expect((await row(t.ds, id)).attempts).toBe(1);
  });

  it('requires credentials (401) and the callbacks:admin scope (403)', async () => {
    await t.http().get('/callbacks/deliveries').expect(401);
    await t.http().get('/callbacks/deliveries').set('X-API-Key', 'pbb_0000000000000000_nope').expect(401);
    await t.http().get('/callbacks/deliveries').set('X-API-Key', recipient.apiKey).expect(403);
    const admin = await createParticipant(t, {
      tenantId,
      kind: 'information_mediator',
      scopes: ['callbacks:admin'],
    });
    await t.http().get('/callbacks/deliveries').set('X-API-Key', admin.apiKey).expect(200);
  });

  it('refuses to schedule a URL outside the recipient’s callback bases', async () => {
    const callbacks = t.app.get(CallbacksService);
    await expect(
      t.ds.transaction((m) => callbacks.schedule(m, { ...callback('/cbx/1') })),
    ).rejects.toMatchObject({
      code: 'CALLBACK_URL_NOT_ALLOWED',
    });
    await expect(
      callbacks.assertUrlAllowed(tenantId, recipient.id, `${rx.url}/cb/ok`),
    ).resolves.toBeUndefined();
    await expect(
      callbacks.assertUrlAllowed(tenantId, recipient.id, 'https://example.com/cb'),
    ).rejects.toMatchObject({
      code: 'CALLBACK_URL_NOT_ALLOWED',
    });
  });
});

describe('Callbacks across a restart that loses Redis (e2e)', () => {
  // The same prefix for both processes, as one deployment would have.
  const prefix = uniqueQueuePrefix();
  // A database of its own: while "no app runs", the apps of other test files (one deployment, as far as
  // the shared test database knows) would otherwise rightly pick these deliveries up through recovery.
  const databaseUrl = TEST_DATABASE_URL.replace(/\/[^/]+$/, `/payments_test_${prefix}`);
  let rx: CallbackReceiver;
  let app: TestApp | undefined;

  beforeAll(async () => {
    rx = await startCallbackReceiver();
    await createDatabase(databaseUrl);
  });

  afterAll(async () => {
    await app?.close();
    await rx?.close();
    await dropDatabase(databaseUrl);
  });

  /** Redis here keeps nothing on disk: a restart is an empty queue. Returns [keys before, keys after]. */
  async function wipeQueue(redisUrl: string): Promise<[number, number]> {
    const redis = new Redis(redisUrl);
    try {
      const keys = await redis.keys(`${prefix}:callbacks:*`);
      if (keys.length) await redis.del(...keys);
      return [keys.length, (await redis.keys(`${prefix}:callbacks:*`)).length];
    } finally {
      redis.disconnect();
    }
  }

  /** No app is running at this point, so the row is read with a plain client. */
  async function statusWhileDown(id: string): Promise<string> {
    const pg = new Client({ connectionString: databaseUrl });
    await pg.connect();
    try {
      const res = await pg.query<{ status: string }>(`SELECT status FROM callback_deliveries WHERE id = $1`, [
        id,
      ]);
      return res.rows[0].status;
    } finally {
      await pg.end();
    }
  }

  it('delivers, after a restart with an empty queue, what was pending in the database', async () => {
    rx.setDown(true);
    // A generous budget: while the receiver is down, any running test app may try it and must not exhaust it.
    app = await createTestApp({
      QUEUE_PREFIX: prefix,
      CALLBACK_MAX_ATTEMPTS: '50',
      DATABASE_URL: databaseUrl,
    });
    const tenantId = await createTenant(app.ds);
    const recipient = await createParticipant(app, {
      tenantId,
      kind: 'source_bb',
      callbackBases: [`${rx.url}/hooks`],
    });
    const id = await scheduleAndDispatch(app, {
      tenantId,
      participantId: recipient.id,
      url: `${rx.url}/hooks/restart`,
      eventType: 'test.restart',
      payload: { survived: true },
    });
    await eventually('a failed attempt', async () =>
      (await attemptsOf(app!.ds, id)).length >= 1 ? true : undefined,
    );
    const redisUrl = app.config.env.REDIS_URL;
    await app.close();
    app = undefined;

    const [before, after] = await wipeQueue(redisUrl);
    expect(before).toBeGreaterThan(0); // the retry job was there, and now it is gone
    expect(after).toBe(0);
    // Closed between attempts it is 'pending'; closed during one it stays 'delivering' until its lock runs
    // out. Either way the database still owes it, and the next worker must deliver it.
    expect(['pending', 'delivering']).toContain(await statusWhileDown(id));
    rx.setDown(false);
    app = await createTestApp({ QUEUE_PREFIX: prefix, DATABASE_URL: databaseUrl });

    const got = await rx.waitFor((c) => c.headers['x-callback-id'] === id && c.status === 200, 15_000);
    expect(got.body).toEqual({ survived: true });
    expect(
      verifyCallbackSignature(recipient.callbackSecret, String(got.headers['x-signature']), got.rawBody),
    ).toBe(true);
    await statusIs(app.ds, id, 'delivered');
  });

  it('takes over a delivery whose worker died mid-attempt, recording the lost attempt', async () => {
    app ??= await createTestApp({ QUEUE_PREFIX: prefix, DATABASE_URL: databaseUrl });
    const tenantId = await createTenant(app.ds);
    const recipient = await createParticipant(app, {
      tenantId,
      kind: 'source_bb',
      callbackBases: [`${rx.url}/hooks`],
    });
    // Inserted directly, as a crashed worker would have left it: claimed for attempt 1, lock since expired.
    const [{ id }] = (await app.ds.query(
      `INSERT INTO callback_deliveries (tenant_id, participant_id, event_type, method, url, payload, correlation_id,
                                        status, attempts, max_attempts, next_attempt_at, locked_until)
       VALUES ($1, $2, 'test.crash', 'POST', $3, '{"crash":1}', 'corr-crash', 'delivering', 1, 5,
               now() - interval '1 minute', now() - interval '1 second')
       RETURNING id`,
      [tenantId, recipient.id, `${rx.url}/hooks/crash`],
    )) as { id: string }[];

    await statusIs(app.ds, id, 'delivered');
    expect(await attemptsOf(app.ds, id)).toEqual([
      { attempt_no: 1, outcome: 'abandoned', status_code: null },
      { attempt_no: 2, outcome: 'delivered', status_code: 200 },
    ]);
  });
});
