import { startCallbackReceiver, CallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { startPayerFsp, PayerFspSimulator } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { as, BulkWorld, createBulkWorld, instructionId, registerPayees, v1Batch, waitForBatch, waitForFinal } from './support/bulk-fixtures';
import { ConsoleSession, createOperator, login, operatorFor, TestOperator } from './support/console-fixtures';
import { id12 } from './support/factories';
import { MSISDN, VALID_IBAN } from './support/mapper-fixtures';
import { runTs } from './support/spawn';
import { createTestApp, TestApp } from './support/test-app';
import { TEST_ENV } from './support/test-env';

/**
 * The operator console's server side (docs/console.md): operator accounts, cookie sessions with CSRF tokens,
 * roles as scopes on the ordinary API, maker-checker by the operator's identity, audit and masking.
 */
describe('Operator console: sessions, roles and maker-checker', () => {
  let t: TestApp;
  let fsp: PayerFspSimulator;
  let sink: CallbackReceiver;
  let w: BulkWorld;
  let admin: ConsoleSession & { operator: TestOperator };
  let maker: ConsoleSession & { operator: TestOperator };
  let checker: ConsoleSession & { operator: TestOperator };
  let viewer: ConsoleSession & { operator: TestOperator };

  beforeAll(async () => {
    fsp = await startPayerFsp({ port: 0 });
    sink = await startCallbackReceiver({ port: 0 });
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', BULK_SWEEP_INTERVAL_MS: '300' });
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.config.env.PUBLIC_BASE_URL = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    w = await createBulkWorld(t, { fspUrl: fsp.url, callbackBase: sink.url, funding: '100000.00', requiresApproval: true });
    fsp.configure({ pbbApiKey: w.fsp.apiKey, tenantId: w.tenantId });
    [admin, maker, checker, viewer] = await Promise.all([
      operatorFor(t, w.tenantId, 'admin'),
      operatorFor(t, w.tenantId, 'maker'),
      operatorFor(t, w.tenantId, 'checker'),
      operatorFor(t, w.tenantId, 'viewer'),
    ]);
  });

  afterAll(async () => {
    await t.close();
    await fsp.close();
    await sink.close();
  });

  /** A maker hands over a CSV batch through the console, as the named source BB, for the approval program. */
  async function submitCsv(s: ConsoleSession, amounts: string[]): Promise<string> {
    const payees = await registerPayees(t, w, amounts.map(() => ({ modality: '01', address: MSISDN })));
    const csv = ['instruction_id,payee_functional_id,amount,currency,narration']
      .concat(amounts.map((a, i) => `${instructionId()},${payees[i]},${a},TZS,Console`))
      .join('\n');
    const res = await t
      .http()
      .post('/batchtransactions?type=csv')
      .set(s.headers)
      .set('X-Registering-Institution-Id', w.source.code)
      .set('X-Program-Id', w.programCode)
      .set('X-CorrelationID', `console-${id12()}`)
      .set('Content-Type', 'text/csv')
      .send(csv);
    expect(res.status).toBe(202);
    await waitForBatch(t, res.body.batchId, (b) => b.state === 'awaiting_approval');
    return res.body.batchId as string;
  }

  describe('login and session', () => {
    it('sets an HttpOnly, SameSite=Strict cookie and answers the operator, role and CSRF token', async () => {
      const o = await createOperator(t, w.tenantId, 'viewer');
      const res = await t.http().post('/console/api/session').send({ username: o.username, password: o.password }).expect(201);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'])[0];
      expect(cookie).toMatch(/^pbb_console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
      expect(res.body).toMatchObject({
        operator: { username: o.username, role: 'viewer', tenantId: w.tenantId, status: 'active' },
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        idleTimeoutSeconds: 1800,
      });
      expect(JSON.stringify(res.body)).not.toContain(o.password);
      expect(res.headers['cache-control']).toBe('no-store');
      // Only the token's hash is stored.
      const token = cookie.split(';')[0].split('=')[1];
      const rows = await t.ds.query(`SELECT token_hash FROM operator_sessions WHERE operator_id = $1`, [o.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).not.toContain(token);
      const hash = await t.ds.query(`SELECT password_hash FROM operator_users WHERE id = $1`, [o.id]);
      expect(hash[0].password_hash).toMatch(/^scrypt\$ln=15\$/);
    });

    it('refuses a wrong password, an unknown user and a disabled account with the same 401', async () => {
      const o = await createOperator(t, w.tenantId, 'viewer');
      const wrong = await t.http().post('/console/api/session').send({ username: o.username, password: 'not-the-password' }).expect(401);
      const unknown = await t.http().post('/console/api/session').send({ username: 'nobody-here', password: 'not-the-password' }).expect(401);
      expect(wrong.body.error.message).toBe(unknown.body.error.message);
      expect(wrong.headers['set-cookie']).toBeUndefined();
      await t.http().patch(`/console/api/operators/${o.id}`).set(admin.headers).send({ status: 'disabled' }).expect(200);
      const disabled = await t.http().post('/console/api/session').send({ username: o.username, password: o.password }).expect(401);
      expect(disabled.body.error.message).toBe(wrong.body.error.message);
      const audit = await t.ds.query(`SELECT action, details FROM audit_log WHERE object_id = $1 AND action = 'console.login.refused' ORDER BY id`, [o.id]);
      expect(audit.map((a: { details: { reason: string } }) => a.details.reason)).toEqual(['password', 'disabled']);
    });

    it('locks an account after five failures in a row, even against the right password, until an admin re-enables it', async () => {
      const o = await createOperator(t, w.tenantId, 'viewer');
      const attempts = await Promise.all(
        Array.from({ length: 5 }, () => t.http().post('/console/api/session').send({ username: o.username, password: 'wrong-wrong-wrong' })),
      );
      expect(attempts.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
      await t.http().post('/console/api/session').send({ username: o.username, password: o.password }).expect(401);
      const list = await t.http().get('/console/api/operators').set(admin.headers).expect(200);
      expect(list.body.operators.find((x: { id: string }) => x.id === o.id).lockedUntil).not.toBeNull();
      await t.http().patch(`/console/api/operators/${o.id}`).set(admin.headers).send({ status: 'active' }).expect(200);
      await login(t, o);
    });

    it('ends a session at logout, when idle too long, and past its absolute lifetime', async () => {
      const o = await createOperator(t, w.tenantId, 'viewer');
      const s1 = await login(t, o);
      await t.http().get('/console/api/session').set(s1.headers).expect(200);
      await t.http().delete('/console/api/session').set(s1.headers).expect(204);
      await t.http().get('/console/api/session').set(s1.headers).expect(401);
      await t.http().get('/api/v1/batches').set(s1.headers).expect(401);

      const s2 = await login(t, o);
      await t.ds.query(`UPDATE operator_sessions SET last_seen_at = now() - interval '31 minutes' WHERE operator_id = $1`, [o.id]);
      await t.http().get('/console/api/session').set(s2.headers).expect(401);

      const s3 = await login(t, o);
      await t.ds.query(`UPDATE operator_sessions SET expires_at = now() - interval '1 second' WHERE operator_id = $1`, [o.id]);
      await t.http().get('/console/api/session').set(s3.headers).expect(401);
    });

    it('ends every session of an operator whose role changes; the new role applies at the next login', async () => {
      const o = await createOperator(t, w.tenantId, 'viewer');
      const s = await login(t, o);
      await t.http().patch(`/console/api/operators/${o.id}`).set(admin.headers).send({ role: 'maker' }).expect(200);
      await t.http().get('/console/api/session').set(s.headers).expect(401);
      const again = await login(t, o);
      const me = await t.http().get('/console/api/session').set(again.headers).expect(200);
      expect(me.body.operator.role).toBe('maker');
      expect(me.body.operator.scopes).toContain('bulk:submit');
    });

    it('lets an operator change their own password with the current one; their other sessions end', async () => {
      const o = await createOperator(t, w.tenantId, 'viewer');
      const [a, b] = [await login(t, o), await login(t, o)];
      await t.http().post('/console/api/session/password').set(a.headers).send({ currentPassword: 'wrong-password!!', newPassword: 'a-new-password-2026' }).expect(403);
      await t.http().post('/console/api/session/password').set(a.headers).send({ currentPassword: o.password, newPassword: 'short' }).expect(400);
      await t.http().post('/console/api/session/password').set(a.headers).send({ currentPassword: o.password, newPassword: 'a-new-password-2026' }).expect(204);
      await t.http().get('/console/api/session').set(a.headers).expect(200);
      await t.http().get('/console/api/session').set(b.headers).expect(401);
      await login(t, { username: o.username, password: 'a-new-password-2026' });
    });
  });

  describe('CSRF', () => {
    it('refuses a cookie-authenticated change without the session CSRF token, or with another session’s', async () => {
      const batch = await submitCsv(maker, ['1.00']);
      const other = await login(t, checker.operator);
      for (const headers of [{ Cookie: checker.cookie }, { Cookie: checker.cookie, 'X-CSRF-Token': other.csrfToken }]) {
        const res = await t.http().post(`/api/v1/batches/${batch}/approve`).set(headers).send({});
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('CSRF_TOKEN_INVALID');
      }
      expect((await waitForBatch(t, batch, () => true)).state).toBe('awaiting_approval');
      // Reads need no token; API keys are not cookie sessions and need none either.
      await t.http().get('/api/v1/batches').set({ Cookie: checker.cookie }).expect(200);
      await t.http().post(`/api/v1/batches/${batch}/reject`).set(as(w.checker)).send({ reason: 'CSRF test' }).expect(200);
    });

    it('takes a login only as JSON, so that another site’s form cannot log a browser in (login CSRF)', async () => {
      const o = await createOperator(t, w.tenantId, 'viewer');
      const form = await t.http().post('/console/api/session').type('form').send({ username: o.username, password: o.password });
      expect(form.status).toBe(415);
      expect(form.headers['set-cookie']).toBeUndefined();
    });

    it('does not take a session cookie across tenants', async () => {
      await t.http().get('/api/v1/batches').set(viewer.headers).set('Platform-TenantId', 'some-other-tenant').expect(403);
    });
  });

  describe('roles', () => {
    it('lets a viewer read every console page but change nothing', async () => {
      for (const path of [
        '/api/v1/batches',
        '/programs',
        '/fsp-connectors',
        '/p2g/billers',
        '/p2g/advices',
        '/p2g/payer-fis',
        '/callbacks/deliveries',
        '/voucher-groups',
        '/merchants',
        '/ledger/accounts',
        '/ledger/reconciliation',
        '/audit',
        '/participants',
      ])
        await t.http().get(path).set(viewer.headers).expect((r) => expect([path, r.status]).toEqual([path, 200]));
      const batch = await submitCsv(maker, ['2.00']);
      const approve = await t.http().post(`/api/v1/batches/${batch}/approve`).set(viewer.headers).send({});
      expect(approve.status).toBe(403);
      expect(approve.body.error.message).toBe('Missing scope: bulk:approve');
      await t.http().post(`/api/v1/batches/${batch}/cancel`).set(viewer.headers).send({}).expect(404);
      await t.http().post('/programs').set(viewer.headers).send({}).expect(403);
      await t.http().get('/console/api/operators').set(viewer.headers).expect(403);
      await t.http().post(`/ledger/accounts/${w.fundingAccountId}/fund`).set(viewer.headers).send({ amount: '1.00', currency: 'TZS', reference: 'x' }).expect(403);
      expect((await waitForBatch(t, batch, () => true)).state).toBe('awaiting_approval');
    });

    it('shows callback bodies (which may carry personal data) to makers and admins, not to viewers', async () => {
      await t.ds.query(
        `INSERT INTO callback_deliveries (id, tenant_id, participant_id, event_type, method, url, payload, correlation_id, status, max_attempts)
         VALUES (gen_random_uuid(), $1, $2, 'test.event', 'POST', 'https://example.org/cb', '{"financialAddress":"NL87ABNA4193835510"}', 'c', 'failed', 1)`,
        [w.tenantId, w.source.id],
      );
      const asViewer = await t.http().get('/callbacks/deliveries?eventType=test.event').set(viewer.headers).expect(200);
      expect(asViewer.body.items).toHaveLength(1);
      expect(asViewer.body.items[0].payload).toBeNull();
      const one = await t.http().get(`/callbacks/deliveries/${asViewer.body.items[0].id}`).set(viewer.headers).expect(200);
      expect(one.body.payload).toBeNull();
      const asMaker = await t.http().get(`/callbacks/deliveries/${asViewer.body.items[0].id}`).set(maker.headers).expect(200);
      expect(asMaker.body.payload).toEqual({ financialAddress: 'NL87ABNA4193835510' });
    });

    it('lets a maker submit and cancel, but not approve or reject', async () => {
      const batch = await submitCsv(maker, ['3.00']);
      await t.http().post(`/api/v1/batches/${batch}/approve`).set(maker.headers).send({}).expect(403);
      await t.http().post(`/api/v1/batches/${batch}/reject`).set(maker.headers).send({}).expect(403);
      const cancelled = await t.http().post(`/api/v1/batches/${batch}/cancel`).set(maker.headers).send({ reason: 'typo' }).expect(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect(cancelled.body.statusReason).toBe(`Cancelled by user:${maker.operator.username}: typo`);
    });

    it('lets only admins manage operators, and nobody change their own role', async () => {
      await t.http().post('/console/api/operators').set(checker.headers).send({ username: 'x-by-checker', displayName: 'X', role: 'admin', password: 'long-enough-password' }).expect(403);
      const created = await t
        .http()
        .post('/console/api/operators')
        .set(admin.headers)
        .send({ username: `auditor-${id12().toLowerCase()}`, displayName: 'Auditor', role: 'viewer', password: 'long-enough-password' })
        .expect(201);
      expect(created.body).not.toHaveProperty('passwordHash');
      await t.http().post('/console/api/operators').set(admin.headers).send({ username: created.body.username, displayName: 'Again', role: 'viewer', password: 'long-enough-password' }).expect(409);
      await t.http().post('/console/api/operators').set(admin.headers).send({ username: 'Bad Name', displayName: 'X', role: 'viewer', password: 'long-enough-password' }).expect(400);
      await t.http().patch(`/console/api/operators/${admin.operator.id}`).set(admin.headers).send({ role: 'viewer' }).expect(403);
    });
  });

  describe('maker-checker by operator identity', () => {
    it('a checker approves a batch a maker made; it runs to completion; the audit names both people', async () => {
      const batch = await submitCsv(maker, ['10.00', '20.50']);
      const approved = await t.http().post(`/api/v1/batches/${batch}/approve`).set(checker.headers).send({}).expect(200);
      expect(approved.body.approvedBy).toBe(`user:${checker.operator.username}`);
      expect((await waitForFinal(t, batch)).state).toBe('completed');
      const trail = await t.http().get(`/audit?objectType=batch&objectId=${batch}`).set(viewer.headers).expect(200);
      expect(trail.body.entries.map((e: { action: string; actorId: string }) => [e.action, e.actorId])).toEqual(
        expect.arrayContaining([
          ['bulk.batch.approve', `user:${checker.operator.username}`],
          ['bulk.batch.receive', `user:${maker.operator.username}`],
        ]),
      );
    });

    it('an admin who made a batch cannot approve or reject it; another admin can', async () => {
      const batch = await submitCsv(admin, ['4.00']);
      const own = await t.http().post(`/api/v1/batches/${batch}/approve`).set(admin.headers).send({});
      expect(own.status).toBe(403);
      expect(own.body.error.code).toBe('MAKER_CANNOT_APPROVE');
      expect((await t.http().post(`/api/v1/batches/${batch}/reject`).set(admin.headers).send({})).body.error.code).toBe('MAKER_CANNOT_APPROVE');
      const second = await operatorFor(t, w.tenantId, 'admin');
      await t.http().post(`/api/v1/batches/${batch}/approve`).set(second.headers).send({}).expect(200);
    });

    it('a checker rejects a batch: it ends cancelled with the reason, once', async () => {
      const batch = await submitCsv(maker, ['5.00']);
      const res = await t.http().post(`/api/v1/batches/${batch}/reject`).set(checker.headers).send({ reason: 'Wrong month' }).expect(200);
      expect(res.body).toMatchObject({ status: 'cancelled', statusReason: `Rejected by user:${checker.operator.username}: Wrong month` });
      const again = await t.http().post(`/api/v1/batches/${batch}/reject`).set(checker.headers).send({});
      expect(again.status).toBe(409);
      const trail = await t.http().get(`/audit?action=bulk.batch.reject&objectId=${batch}`).set(viewer.headers).expect(200);
      expect(trail.body.entries).toHaveLength(1);
      expect(trail.body.entries[0]).toMatchObject({ actorId: `user:${checker.operator.username}`, details: { reason: 'Wrong month' } });
    });

    it('two checkers approving the same batch at once: exactly one succeeds', async () => {
      const batch = await submitCsv(maker, ['6.00']);
      const second = await operatorFor(t, w.tenantId, 'checker');
      const [a, b] = await Promise.all([
        t.http().post(`/api/v1/batches/${batch}/approve`).set(checker.headers).send({}),
        t.http().post(`/api/v1/batches/${batch}/approve`).set(second.headers).send({}),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const approvals = await t.ds.query(`SELECT count(*)::int AS n FROM audit_log WHERE object_id = $1 AND action = 'bulk.batch.approve'`, [batch]);
      expect(approvals[0].n).toBe(1);
    });

    it('a checker approves a biller a maker onboarded, and not the other way round', async () => {
      const onboard = await t
        .http()
        .post('/p2g/billers')
        .set(maker.headers)
        .send({
          name: 'Console Water',
          shortName: `CW${id12().slice(0, 6)}`,
          kind: 'biller',
          baseUrl: 'http://127.0.0.1:9/',
          currencies: ['TZS'],
          settlementAccount: { bankCode: 'CBKEKENX', accountNumber: '0011223344' },
          rules: { amountExactness: 'EXACT' },
        });
      expect(onboard.status).toBe(201);
      const billerId = onboard.body.biller.billerId as string;
      await t.http().post(`/p2g/billers/${billerId}/approve`).set(maker.headers).send({}).expect(403);
      const ok = await t.http().post(`/p2g/billers/${billerId}/approve`).set(checker.headers).send({});
      expect(ok.status).toBe(201);
      expect(ok.body.status ?? ok.body.biller?.status).toBe('active');
    });
  });

  describe('audit search', () => {
    it('filters by actor, action prefix and time, newest first, a page at a time', async () => {
      const actor = `user:${checker.operator.username}`;
      // One more entry whose ID has more digits than the earlier ones: newest-first must be numeric, not textual.
      await t.ds.query(`SELECT setval('audit_log_id_seq', (10 ^ length(last_value::text))::bigint) FROM audit_log_id_seq`);
      await login(t, checker.operator);
      const all = await t.http().get(`/audit?actorId=${actor}&limit=500`).set(viewer.headers).expect(200);
      expect(all.body.entries.length).toBeGreaterThan(2);
      expect(all.body.entries.every((e: { actorId: string }) => e.actorId === actor)).toBe(true);
      const ids: string[] = all.body.entries.map((e: { id: string }) => e.id);
      expect([...ids].sort((x, y) => Number(BigInt(y) - BigInt(x)))).toEqual(ids);
      const page1 = await t.http().get(`/audit?actorId=${actor}&limit=1`).set(viewer.headers).expect(200);
      expect(page1.body.entries).toHaveLength(1);
      const page2 = await t.http().get(`/audit?actorId=${actor}&limit=1&beforeId=${page1.body.nextBeforeId}`).set(viewer.headers).expect(200);
      expect(page2.body.entries[0].id).toBe(all.body.entries[1].id);
      const logins = await t.http().get(`/audit?actorId=${actor}&action=console.*`).set(viewer.headers).expect(200);
      expect(logins.body.entries.length).toBeGreaterThan(0);
      expect(logins.body.entries.every((e: { action: string }) => e.action.startsWith('console.'))).toBe(true);
      const future = await t.http().get(`/audit?actorId=${actor}&from=${new Date(Date.now() + 60_000).toISOString()}`).set(viewer.headers).expect(200);
      expect(future.body.entries).toEqual([]);
      await t.http().get('/audit?from=yesterday').set(viewer.headers).expect(400);
      // Another tenant's operator sees none of it.
      const stranger = await operatorFor(t, (await createBulkWorld(t, { fspUrl: fsp.url })).tenantId, 'viewer');
      const none = await t.http().get(`/audit?actorId=${actor}`).set(stranger.headers).expect(200);
      expect(none.body.entries).toEqual([]);
    });
  });

  describe('account mapper look-up', () => {
    it('masks the financial address for a viewer, shows it to a checker and audits that it was shown', async () => {
      const [fid] = await registerPayees(t, w, [{ modality: '00', address: VALID_IBAN, institution: 'ABNANL2A' }]);
      const masked = await t.http().get(`/account-mapper/beneficiaries?functionalId=${fid}`).set(viewer.headers).expect(200);
      expect(masked.body.entries).toEqual([
        expect.objectContaining({ sourceBbCode: w.source.code, paymentModality: '00', financialAddress: 'NL87**********5510', financialAddressMasked: true }),
      ]);
      expect(JSON.stringify(masked.body)).not.toContain(VALID_IBAN);
      const full = await t.http().get(`/account-mapper/beneficiaries?functionalId=${fid}`).set(checker.headers).expect(200);
      expect(full.body.entries[0]).toMatchObject({ financialAddress: VALID_IBAN, financialAddressMasked: false });
      const reveal = await t.ds.query(`SELECT actor_id FROM audit_log WHERE action = 'mapper.beneficiary.reveal' AND object_id = $1`, [fid]);
      expect(reveal).toEqual([{ actor_id: `user:${checker.operator.username}` }]);
      await t.http().get('/account-mapper/beneficiaries?functionalId=FIDNOTREGISTERED0001').set(viewer.headers).expect(404);
      await t.http().get('/account-mapper/beneficiaries').set(viewer.headers).expect(400);
    });
  });

  describe('payments report', () => {
    it('sums a period’s instructions per programme and payer FSP by outcome, with failure reasons and a daily series', async () => {
      const x = await createBulkWorld(t, { fspUrl: fsp.url, callbackBase: sink.url, funding: '1000.00' });
      fsp.configure({ pbbApiKey: x.fsp.apiKey, tenantId: x.tenantId });
      const payees = await registerPayees(t, x, [{ modality: '01', address: MSISDN }, { modality: '01', address: '+255712345679' }]);
      const body = v1Batch(x, [
        { payee: payees[0], amount: '10.00' },
        { payee: payees[1], amount: '2.50' },
        { payee: 'FIDNOBODY00000000001', amount: '7.00' },
      ]);
      await t.http().post('/bulk-payment').set(as(x.source)).send(body).expect(200);
      const [batch] = (await t.ds.query(`SELECT id FROM batches WHERE tenant_id = $1`, [x.tenantId])) as { id: string }[];
      expect((await waitForFinal(t, batch.id)).state).toBe('partially_completed');
      const v = await operatorFor(t, x.tenantId, 'viewer');
      const res = await t.http().get('/reports/payments').set(v.headers).expect(200);
      expect(res.body.batchesByState).toEqual({ partially_completed: 1 });
      expect(res.body.byProgram).toEqual([
        {
          programCode: x.programCode,
          currency: 'TZS',
          instructions: 3,
          amount: '19.50',
          paidAmount: '12.50',
          successRate: 0.6666,
          byState: { completed: { count: 2, amount: '12.50' }, unresolved: { count: 1, amount: '7.00' } },
        },
      ]);
      expect(res.body.byPayerFsp).toEqual([expect.objectContaining({ payerFspCode: x.fsp.code, instructions: 3, paidAmount: '12.50' })]);
      expect(res.body.topFailureReasons).toEqual([expect.objectContaining({ count: 1 })]);
      expect(res.body.daily).toEqual([{ day: new Date().toISOString().slice(0, 10), completed: 2, failed: 0 }]);
      const other = await t.http().get(`/reports/payments?programCode=NOPE`).set(v.headers).expect(200);
      expect(other.body.byProgram).toEqual([]);
      await t.http().get('/reports/payments?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z').set(v.headers).expect(400);
    });
  });

  describe('npm run operator:create', () => {
    it('makes the first admin of a tenant with a generated password, printed once; it logs in and manages operators', async () => {
      const username = `first-admin-${id12().toLowerCase()}`;
      const cli = 'apps/payments-bb/src/cli/create-operator.ts';
      const out = await runTs(cli, ['--tenant', w.tenantId, '--username', username, '--role', 'admin'], { ...TEST_ENV, LOG_LEVEL: 'silent' });
      expect(out.code).toBe(0);
      const printed = JSON.parse(out.stdout) as { operator: { username: string; role: string }; password: string };
      expect(printed.operator).toMatchObject({ username, role: 'admin' });
      expect(printed.password.length).toBeGreaterThanOrEqual(20);
      const s = await login(t, { username, password: printed.password });
      await t.http().get('/console/api/operators').set(s.headers).expect(200);
      const again = await runTs(cli, ['--tenant', w.tenantId, '--username', username, '--role', 'viewer'], { ...TEST_ENV, LOG_LEVEL: 'silent' });
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain('taken');
      const bad = await runTs(cli, ['--tenant', w.tenantId, '--username', 'x', '--role', 'root'], { ...TEST_ENV, LOG_LEVEL: 'silent' });
      expect(bad.code).toBe(2);
    }, 60_000);
  });

  describe('AUTH_MODE=none (sandbox behind an Information Mediator)', () => {
    it('still takes a console session as the operator it names, with that role’s rights', async () => {
      const sandbox = await createTestApp({ LOG_LEVEL: 'silent', AUTH_MODE: 'none', DEFAULT_TENANT_ID: w.tenantId });
      try {
        const v = await login(sandbox, ops(viewer));
        // Without a session the Information Mediator is trusted; with one, the operator's role decides.
        await sandbox.http().get('/console/api/operators').expect(200);
        await sandbox.http().get('/console/api/operators').set(v.headers).expect(403);
        await sandbox.http().post('/console/api/operators').set({ Cookie: v.cookie }).send({}).expect(403);
        const me = await sandbox.http().get('/console/api/session').set(v.headers).expect(200);
        expect(me.body.operator.username).toBe(viewer.operator.username);
      } finally {
        await sandbox.close();
      }
    });
  });
});

const ops = (s: { operator: TestOperator }) => ({ username: s.operator.username, password: s.operator.password });
