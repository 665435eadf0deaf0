import { randomBytes } from 'node:crypto';
import { OperatorsService } from '../apps/payments-bb/src/operators/operators.service';
import { OperatorRole } from '../apps/payments-bb/src/operators/roles';
import { isSameOrigin } from '../apps/payments-bb/src/queue-board';
import { createTenant } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

const PASSWORD = 'a-long-enough-password-1';

describe('Bull Board at /console/queues', () => {
  let t: TestApp;
  let host: string;
  let admin: string;
  let viewer: string;

  /** An operator of the given role, logged in through the console API: its session cookie. */
  async function loggedIn(tenantId: string, role: OperatorRole): Promise<string> {
    const username = `${role}-${randomBytes(4).toString('hex')}`;
    await t.app
      .get(OperatorsService)
      .create(
        { tenantId, username, displayName: username, role, password: PASSWORD },
        { id: 'system:test', kind: 'system' },
      );
    const res = await t.http().post('/console/api/session').send({ username, password: PASSWORD });
    expect(res.status).toBe(201);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('pbb_console='));
    expect(cookie).toBeDefined();
    return cookie!.split(';')[0];
  }

  beforeAll(async () => {
    t = await createTestApp();
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const tenantId = await createTenant(t.ds);
    t.config.env.CONSOLE_PLATFORM_TENANT = tenantId;
    admin = await loggedIn(tenantId, 'admin');
    viewer = await loggedIn(tenantId, 'viewer');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('sends a browser without a session to the console login, and answers 401 to anything else', async () => {
    const page = await t
      .http()
      .get('/console/queues')
      .set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/console/#/login');
    expect(page.headers['cache-control']).toBe('no-store');

    const api = await t
      .http()
      .get('/console/queues/api/queues')
      .set('Accept', 'application/json')
      .set('X-CorrelationID', 'qb-401');
    expect(api.status).toBe(401);
    expect(api.body).toEqual({
      error: { code: 'UNAUTHENTICATED', message: expect.any(String), correlationId: 'qb-401' },
    });

    const post = await t.http().put('/console/queues/api/queues/pause').set('Accept', 'text/html');
    expect(post.status).toBe(401);
    // An API key is no console session.
    const forged = await t
      .http()
      .get('/console/queues/api/queues')
      .set('Cookie', `pbb_console=${'x'.repeat(43)}`);
    expect(forged.status).toBe(401);
  });

  it('refuses a viewer (403)', async () => {
    const res = await t.http().get('/console/queues').set('Cookie', viewer).set('Accept', 'text/html');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect((await t.http().get('/console/queues/api/queues').set('Cookie', viewer)).status).toBe(403);
  });

  it("refuses the admin of any other tenant (403): the board shows every tenant's jobs", async () => {
    const other = await loggedIn(await createTenant(t.ds), 'admin');
    const res = await t.http().get('/console/queues/api/queues').set('Cookie', other);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('shows the board to an admin, uncached', async () => {
    const res = await t.http().get('/console/queues').set('Cookie', admin).set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.text).toContain('<base href="/console/queues/"');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    // Its assets are behind the same door and uncached too.
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(res.text)![1];
    const asset = await t.http().get(`/console/queues/${script}`).set('Cookie', admin);
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('no-store');
    expect((await t.http().get(`/console/queues/${script}`).set('Cookie', viewer)).status).toBe(403);
  });

  it("lists every queue of the server through the board's API for an admin", async () => {
    const res = await t
      .http()
      .get('/console/queues/api/queues')
      .query({ activeQueue: 'bulk', page: 1 })
      .set('Cookie', admin);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const names = (res.body.queues as { name: string; counts: Record<string, number> }[])
      .map((q) => q.name)
      .sort();
    expect(names).toEqual(['bulk', 'callbacks', 'mapper', 'p2g', 'vouchers']);
  });

  it('refuses changes that do not come from a page of this server, even for an admin', async () => {
    const cross = await t
      .http()
      .post('/console/queues/api/queues/bulk/add')
      .set('Cookie', admin)
      .set('Origin', 'https://evil.example')
      .send({ name: 'advance', data: {} });
    expect(cross.status).toBe(403);
    expect(cross.body.error.code).toBe('FORBIDDEN');

    // No Origin and no Sec-Fetch-Site: not provably same-origin either.
    const bare = await t.http().put('/console/queues/api/queues/p2g/pause').set('Cookie', admin);
    expect(bare.status).toBe(403);
    const crossSite = await t
      .http()
      .put('/console/queues/api/queues/p2g/pause')
      .set('Cookie', admin)
      .set('Sec-Fetch-Site', 'cross-site');
    expect(crossSite.status).toBe(403);
  });

  it('lets an admin act from the same origin, and audits it under the operator', async () => {
    const pause = await t
      .http()
      .put('/console/queues/api/queues/p2g/pause')
      .set('Cookie', admin)
      .set('Origin', `http://${host}`)
      .set('X-CorrelationID', 'qb-pause');
    expect(pause.status).toBe(200);
    const resume = await t
      .http()
      .put('/console/queues/api/queues/p2g/resume')
      .set('Cookie', admin)
      .set('Sec-Fetch-Site', 'same-origin');
    expect(resume.status).toBe(200);
    let rows: { actor_id: string; object_id: string; action: string }[] = [];
    for (let i = 0; i < 50 && !rows.length; i++) {
      rows = await t.ds.query(
        `SELECT actor_id, object_id, action FROM audit_log WHERE correlation_id = 'qb-pause'`,
      );
      if (!rows.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows).toEqual([
      { actor_id: expect.stringMatching(/^user:admin-/), object_id: 'p2g', action: 'queues.board' },
    ]);
  });

  it('compares Origin with Host by scheme-aware host', () => {
    const req = (headers: Record<string, string>) => ({ headers });
    expect(isSameOrigin(req({ host: 'pay.example', origin: 'https://pay.example' }))).toBe(true);
    expect(isSameOrigin(req({ host: 'pay.example:443', origin: 'https://pay.example' }))).toBe(true);
    expect(isSameOrigin(req({ host: 'pay.example:8443', origin: 'https://pay.example' }))).toBe(false);
    expect(isSameOrigin(req({ host: 'pay.example', origin: 'https://pay.example.evil' }))).toBe(false);
    expect(isSameOrigin(req({ host: 'pay.example', origin: 'null' }))).toBe(false);
    expect(isSameOrigin(req({ host: 'pay.example', 'sec-fetch-site': 'same-origin' }))).toBe(true);
    expect(isSameOrigin(req({ host: 'pay.example', 'sec-fetch-site': 'same-site' }))).toBe(false);
    expect(isSameOrigin(req({ origin: 'https://pay.example' }))).toBe(false);
  });
});
