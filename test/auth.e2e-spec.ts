import { sign } from 'jsonwebtoken';
import { createParticipant, createTenant, id12, TestParticipant } from './support/factories';
import { bankBeneficiary, v1Request } from './support/mapper-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/** A well-formed key (pbb_<16 hex>_<43 base64url>) that was never issued. */
const UNKNOWN_KEY = `pbb_0123456789abcdef_${'A'.repeat(43)}`;
const PUBLIC_PARTICIPANT_FIELDS = [
  'callbackBases',
  'clientId',
  'code',
  'createdAt',
  'id',
  'kind',
  'name',
  'scopes',
  'status',
  'tenantId',
];

interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

const platformError = (code: string, message: string | RegExp = expect.any(String) as unknown as string) => ({
  error: {
    code,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
    correlationId: expect.any(String),
  },
});

/** Replaces the last character of a secret by another valid one, so it keeps its format. */
const corrupt = (secret: string) => secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');

describe('Authentication, scopes and tenant isolation', () => {
  let t: TestApp;
  let tenantA: string;
  let tenantB: string;
  let operatorA: TestParticipant;
  let operatorB: TestParticipant;
  let sourceA: TestParticipant;
  let sourceB: TestParticipant;

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = await createTenant(t.ds);
    tenantB = await createTenant(t.ds);
    operatorA = await createParticipant(t, { tenantId: tenantA, kind: 'operator' });
    operatorB = await createParticipant(t, { tenantId: tenantB, kind: 'operator' });
    sourceA = await createParticipant(t, { tenantId: tenantA, kind: 'source_bb' });
    sourceB = await createParticipant(t, { tenantId: tenantB, kind: 'source_bb' });
  });
  afterAll(() => t.close());

  const asKey = (apiKey: string) => ({ 'X-API-Key': apiKey });
  const asBearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const listParticipants = (headers: Record<string, string> = {}) =>
    t.http().get('/participants').set(headers);
  const registerFor = (source: TestParticipant, headers: Record<string, string>) =>
    t
      .http()
      .post('/register-beneficiary')
      .set(headers)
      .send(v1Request(source.code, [bankBeneficiary()]));

  const tokenFor = async (p: TestParticipant, scope?: string): Promise<string> => {
    const res = await t
      .http()
      .post('/oauth/token')
      .auth(p.clientId, p.clientSecret)
      .type('form')
      .send({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) })
      .expect(200);
    return (res.body as TokenAnswer).access_token;
  };

  const participantRow = async (id: string) =>
    (
      (await t.ds.query(`SELECT tenant_id, status, name, scopes FROM participants WHERE id = $1`, [
        id,
      ])) as Record<string, unknown>[]
    )[0];

  describe('credentials', () => {
    it('answers 401 without credentials, in the platform shape', async () => {
      const res = await listParticipants().expect(401);
      expect(res.body).toEqual(
        platformError(
          'UNAUTHENTICATED',
          'Credentials required: send X-API-Key or Authorization: Bearer <token>',
        ),
      );
    });

    it('answers 401 without credentials in the GovStack shape on mapper paths', async () => {
      const body = v1Request(sourceA.code, [bankBeneficiary()]);
      const res = await t.http().post('/register-beneficiary').send(body).expect(401);
      expect(res.body).toEqual({
        ResponseCode: '01',
        ResponseDescription:
          'UNAUTHENTICATED: Credentials required: send X-API-Key or Authorization: Bearer <token>',
        RequestID: body.RequestID,
      });
    });

    it.each([
      ['garbled', 'not-a-key'],
      ['empty-looking', 'pbb__'],
      ['never issued', UNKNOWN_KEY],
    ])('answers 401 to a %s API key', async (_what, key) => {
      const res = await listParticipants(asKey(key)).expect(401);
      expect(res.body).toEqual(platformError('UNAUTHENTICATED', 'Invalid API key'));
    });

    it('answers 401 to a real key ID with the wrong secret part', async () => {
      await listParticipants(asKey(corrupt(operatorA.apiKey))).expect(401);
      await listParticipants(asKey(operatorA.apiKey)).expect(200);
    });

    it('answers 401 to an Authorization scheme it does not accept', async () => {
      const basic = Buffer.from(`${operatorA.clientId}:${operatorA.clientSecret}`).toString('base64');
      await listParticipants({ Authorization: `Basic ${basic}` }).expect(401);
    });

    it('answers 403 to a valid key without the route’s scope', async () => {
      const res = await listParticipants(asKey(sourceA.apiKey)).expect(403);
      expect(res.body).toEqual(platformError('FORBIDDEN', 'Missing scope: participants:read'));
      await t
        .http()
        .post('/participants')
        .set(asKey(sourceA.apiKey))
        .send({ code: id12('X'), kind: 'source_bb' })
        .expect(403);
    });

    it('answers 403 in the GovStack shape to a client without mapper scopes', async () => {
      const fsp = await createParticipant(t, { tenantId: tenantA, kind: 'fsp' });
      const res = await registerFor(sourceA, asKey(fsp.apiKey)).expect(403);
      expect(res.body).toMatchObject({
        ResponseCode: '01',
        ResponseDescription: 'FORBIDDEN: Missing scope: mapper:write',
      });
    });
  });

  describe('participants registry', () => {
    it('lets an operator create a client and shows its credentials once', async () => {
      const code = id12('S');
      const created = await t
        .http()
        .post('/participants')
        .set(asKey(operatorA.apiKey))
        .send({
          code,
          kind: 'source_bb',
          name: 'Ministry of Tests',
          callbackBases: ['https://registry.example.gov/cb/'],
        })
        .expect(201);
      const { participant, credentials } = created.body as {
        participant: Record<string, unknown> & { id: string };
        credentials: { clientId: string; clientSecret: string; apiKey: string; callbackSecret: string };
      };
      expect(participant).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        tenantId: tenantA,
        code,
        name: 'Ministry of Tests',
        kind: 'source_bb',
        scopes: [
          'mapper:read',
          'mapper:write',
          'bulk:submit',
          'bulk:read',
          'vouchers:issue',
          'vouchers:redeem',
          'vouchers:read',
        ],
        status: 'active',
        clientId: credentials.clientId,
        callbackBases: ['https://registry.example.gov/cb/'],
        createdAt: expect.any(String),
      });
      expect(credentials).toEqual({
        clientId: expect.stringMatching(/^cl_[0-9a-f]{24}$/),
        clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        apiKey: expect.stringMatching(/^pbb_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/),
        callbackSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });

      // The new key works at once, for what its kind may do.
      await registerFor({ ...sourceA, code }, asKey(credentials.apiKey)).expect(200);

      // Never again: neither the single view nor the list carries a secret or a hash.
      const one = await t
        .http()
        .get(`/participants/${participant.id}`)
        .set(asKey(operatorA.apiKey))
        .expect(200);
      expect(Object.keys(one.body).sort()).toEqual(PUBLIC_PARTICIPANT_FIELDS);
      const list = await listParticipants(asKey(operatorA.apiKey)).expect(200);
      const listed = (list.body as Record<string, unknown>[]).find((p) => p.id === participant.id)!;
      expect(Object.keys(listed).sort()).toEqual(PUBLIC_PARTICIPANT_FIELDS);
      for (const text of [one.text, list.text]) {
        expect(text).not.toMatch(/secret|hash|apiKey/i);
        expect(text).not.toContain(credentials.clientSecret);
        expect(text).not.toContain(credentials.apiKey);
      }

      // Stored only hashed (and the callback secret only encrypted).
      const [stored] = (await t.ds.query(
        `SELECT to_jsonb(p)::text AS row FROM participants p WHERE id = $1`,
        [participant.id],
      )) as { row: string }[];
      for (const secret of [credentials.clientSecret, credentials.apiKey, credentials.callbackSecret])
        expect(stored.row).not.toContain(secret);
    });

    it('refuses a duplicate code in the tenant with 409, and an unknown field with 400', async () => {
      await t
        .http()
        .post('/participants')
        .set(asKey(operatorA.apiKey))
        .send({ code: sourceA.code, kind: 'source_bb' })
        .expect(409);
      const res = await t
        .http()
        .post('/participants')
        .set(asKey(operatorA.apiKey))
        .send({ code: id12('U'), kind: 'source_bb', tenantId: tenantB })
        .expect(400);
      expect(res.body).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'tenantId: property tenantId should not exist',
          details: ['tenantId: property tenantId should not exist'],
          correlationId: expect.any(String),
        },
      });
    });
  });

  describe('OAuth2 client credentials', () => {
    const tokenRequest = () => t.http().post('/oauth/token');

    it('issues a token for HTTP Basic client authentication', async () => {
      const res = await tokenRequest()
        .auth(sourceA.clientId, sourceA.clientSecret)
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        scope: 'mapper:read mapper:write bulk:submit bulk:read vouchers:issue vouchers:redeem vouchers:read',
      });
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('issues a token for credentials in a form body', async () => {
      const res = await tokenRequest()
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(
          `grant_type=client_credentials&client_id=${sourceA.clientId}&client_secret=${encodeURIComponent(sourceA.clientSecret)}`,
        )
        .expect(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        scope: 'mapper:read mapper:write bulk:submit bulk:read vouchers:issue vouchers:redeem vouchers:read',
      });
    });

    it('narrows the token to the scopes asked for', async () => {
      const res = await tokenRequest()
        .auth(sourceA.clientId, sourceA.clientSecret)
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'mapper:read' })
        .expect(200);
      expect(res.body.scope).toBe('mapper:read');
      const narrowed = asBearer((res.body as TokenAnswer).access_token);
      const res403 = await registerFor(sourceA, narrowed).expect(403);
      expect(res403.body.ResponseDescription).toBe('FORBIDDEN: Missing scope: mapper:write');
    });

    it('answers 401 invalid_client to a wrong secret or an unknown client', async () => {
      for (const [id, secret] of [
        [sourceA.clientId, corrupt(sourceA.clientSecret)],
        ['cl_000000000000000000000000', sourceA.clientSecret],
        [sourceA.clientId, operatorA.clientSecret],
      ]) {
        const res = await tokenRequest()
          .auth(id, secret)
          .type('form')
          .send({ grant_type: 'client_credentials' })
          .expect(401);
        expect(res.body).toEqual({
          error: 'invalid_client',
          error_description: 'Unknown client or wrong secret',
        });
        expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      }
    });

    it('answers 400 unsupported_grant_type to any other grant', async () => {
      for (const grant of ['password', 'authorization_code', undefined]) {
        const res = await tokenRequest()
          .auth(sourceA.clientId, sourceA.clientSecret)
          .type('form')
          .send(grant ? { grant_type: grant } : {})
          .expect(400);
        expect(res.body).toEqual({ error: 'unsupported_grant_type', error_description: expect.any(String) });
      }
    });

    it('answers 400 invalid_request without client credentials', async () => {
      const res = await tokenRequest()
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: sourceA.clientId })
        .expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    });

    it('answers 400 invalid_request, not 500, to Basic credentials with a broken percent escape', async () => {
      const res = await tokenRequest()
        .set('Authorization', `Basic ${Buffer.from('cl_%zz:secret').toString('base64')}`)
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    });

    it('answers 400 invalid_scope to a scope the client was not granted', async () => {
      const res = await tokenRequest()
        .auth(sourceA.clientId, sourceA.clientSecret)
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'mapper:read participants:admin' })
        .expect(400);
      expect(res.body).toEqual({
        error: 'invalid_scope',
        error_description: 'Scopes not granted to this client: participants:admin',
      });
    });

    it('accepts the bearer token on a protected route', async () => {
      const token = await tokenFor(operatorA);
      const res = await listParticipants(asBearer(token)).expect(200);
      expect((res.body as { tenantId: string }[]).every((p) => p.tenantId === tenantA)).toBe(true);
      await registerFor(sourceA, asBearer(await tokenFor(sourceA))).expect(200);
    });

    it('answers 401 to a tampered, foreign, expired or unsigned token', async () => {
      const token = await tokenFor(operatorA);
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, tid: tenantB, sub: operatorB.id })).toString(
        'base64url',
      );
      const { jwtSecret } = t.config.secrets;
      const issuer = t.config.env.JWT_ISSUER;
      const base = { tid: tenantA, scope: '*' };
      const bad = {
        'a payload changed under the old signature': `${header}.${forged}.${signature}`,
        'a changed signature': `${header}.${payload}.${corrupt(signature)}`,
        'a token signed with another secret': sign(base, 'another-secret-that-is-long-enough-012345', {
          subject: operatorA.id,
          issuer,
        }),
        'an expired token': sign({ ...base, exp: Math.floor(Date.now() / 1000) - 60 }, jwtSecret, {
          subject: operatorA.id,
          issuer,
        }),
        'a token from another issuer': sign(base, jwtSecret, {
          subject: operatorA.id,
          issuer: 'someone-else',
        }),
        'an unsigned token': `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`,
        'not a JWT at all': 'abc',
      };
      for (const [what, value] of Object.entries(bad)) {
        const res = await listParticipants(asBearer(value));
        expect({ what, status: res.status, body: res.body }).toEqual({
          what,
          status: 401,
          body: platformError('UNAUTHENTICATED', 'Invalid or expired bearer token'),
        });
      }
      // The untouched token still works: the failures above are the tampering.
      await listParticipants(asBearer(token)).expect(200);
    });
  });

  describe('disabling and rotating a client', () => {
    it('makes both its API key and its existing token fail with 401 once disabled, and work again once enabled', async () => {
      const admin = await createParticipant(t, { tenantId: tenantA, kind: 'operator' });
      const token = await tokenFor(admin);
      await listParticipants(asKey(admin.apiKey)).expect(200);

      const patch = (status: 'active' | 'disabled') =>
        t.http().patch(`/participants/${admin.id}`).set(asKey(operatorA.apiKey)).send({ status });
      const res = await patch('disabled').expect(200);
      expect(res.body).toMatchObject({ id: admin.id, status: 'disabled' });
      expect(await participantRow(admin.id)).toMatchObject({ status: 'disabled' });

      expect((await listParticipants(asKey(admin.apiKey)).expect(401)).body).toEqual(
        platformError('UNAUTHENTICATED', 'This client is disabled'),
      );
      await listParticipants(asBearer(token)).expect(401);
      const refused = await t
        .http()
        .post('/oauth/token')
        .auth(admin.clientId, admin.clientSecret)
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(401);
      expect(refused.body.error).toBe('invalid_client');

      await patch('active').expect(200);
      await listParticipants(asKey(admin.apiKey)).expect(200);
      await listParticipants(asBearer(token)).expect(200);
    });

    it('takes scopes removed from a client away from its existing tokens', async () => {
      const admin = await createParticipant(t, { tenantId: tenantA, kind: 'operator' });
      const token = await tokenFor(admin);
      await t
        .http()
        .patch(`/participants/${admin.id}`)
        .set(asKey(operatorA.apiKey))
        .send({ scopes: ['mapper:read'] })
        .expect(200);
      await listParticipants(asBearer(token)).expect(403);
    });

    it('rotating credentials retires the old API key and client secret and issues working new ones', async () => {
      const client = await createParticipant(t, { tenantId: tenantA, kind: 'operator' });
      const res = await t
        .http()
        .post(`/participants/${client.id}/rotate-credentials`)
        .set(asKey(operatorA.apiKey))
        .expect(201);
      const fresh = res.body.credentials as { clientId: string; clientSecret: string; apiKey: string };
      expect(fresh.clientId).toBe(client.clientId);
      expect(fresh.apiKey).not.toBe(client.apiKey);
      expect(fresh.clientSecret).not.toBe(client.clientSecret);

      await listParticipants(asKey(client.apiKey)).expect(401);
      await listParticipants(asKey(fresh.apiKey)).expect(200);
      await tokenFor({ ...client, clientSecret: fresh.clientSecret });
      await t
        .http()
        .post('/oauth/token')
        .auth(client.clientId, client.clientSecret)
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(401);
    });
  });

  describe('tenant isolation', () => {
    it.each(['Platform-TenantId', 'X-Platform-TenantId'])(
      'answers 403 TENANT_MISMATCH when a client names another tenant in %s',
      async (header) => {
        const res = await listParticipants({ ...asKey(operatorA.apiKey), [header]: tenantB }).expect(403);
        expect(res.body).toEqual(
          platformError('TENANT_MISMATCH', `This client may not act for tenant '${tenantB}'`),
        );
        await listParticipants({ ...asKey(operatorA.apiKey), [header]: tenantA }).expect(200);
      },
    );

    it('answers 403 TENANT_MISMATCH to a bearer token and on mapper paths too', async () => {
      const token = await tokenFor(sourceA);
      const res = await registerFor(sourceA, { ...asBearer(token), 'Platform-TenantId': tenantB }).expect(
        403,
      );
      expect(res.body.ResponseDescription).toMatch(/^TENANT_MISMATCH: /);
      await registerFor(sourceA, { ...asBearer(token), 'Platform-TenantId': tenantA }).expect(200);
    });

    it('does not let an operator see or change a participant of another tenant', async () => {
      const key = asKey(operatorA.apiKey);
      await t.http().get(`/participants/${sourceB.id}`).set(key).expect(404);
      await t
        .http()
        .patch(`/participants/${sourceB.id}`)
        .set(key)
        .send({ status: 'disabled', name: 'hijacked' })
        .expect(404);
      await t.http().post(`/participants/${sourceB.id}/rotate-credentials`).set(key).expect(404);
      expect(await participantRow(sourceB.id)).toMatchObject({
        tenant_id: tenantB,
        status: 'active',
        name: sourceB.code,
      });
      await listParticipants(asKey(sourceB.apiKey)).expect(403); // still authenticates: its key was not rotated

      const list = await listParticipants(key).expect(200);
      const ids = (list.body as { id: string; tenantId: string }[]).map((p) => p.id);
      expect(ids).toContain(sourceA.id);
      expect(ids).not.toContain(sourceB.id);
      expect(ids).not.toContain(operatorB.id);
    });

    it('does not let a client register beneficiaries for a source of another tenant', async () => {
      const registry = await createParticipant(t, { tenantId: tenantA, kind: 'registration_bb' });
      const res = await registerFor(sourceB, asKey(registry.apiKey)).expect(400);
      expect(res.body.ResponseDescription).toMatch(/^UNKNOWN_SOURCE_BB: /);
    });
  });

  describe('AUTH_MODE=none (sandbox behind an Information Mediator)', () => {
    let sandbox: TestApp;
    beforeAll(async () => {
      sandbox = await createTestApp({ AUTH_MODE: 'none' });
    });
    afterAll(() => sandbox.close());

    const idsIn = async (headers: Record<string, string>) => {
      const res = await sandbox.http().get('/participants').set(headers).expect(200);
      return (res.body as { id: string; tenantId: string }[]).map((p) => `${p.tenantId}/${p.id}`).sort();
    };

    it('accepts calls without credentials and acts in the tenant named by the header', async () => {
      expect(sandbox.config.authDisabled).toBe(true);
      expect(await idsIn({ 'Platform-TenantId': tenantA })).toEqual(
        expect.arrayContaining([`${tenantA}/${operatorA.id}`, `${tenantA}/${sourceA.id}`]),
      );
      expect(
        (await idsIn({ 'Platform-TenantId': tenantA })).every((id) => id.startsWith(`${tenantA}/`)),
      ).toBe(true);
      expect(await idsIn({ 'X-Platform-TenantId': tenantB })).toEqual(
        [`${tenantB}/${operatorB.id}`, `${tenantB}/${sourceB.id}`].sort(),
      );
    });

    it('writes in the named tenant, audited as the sandbox principal', async () => {
      const tenant = await createTenant(sandbox.ds);
      const res = await sandbox
        .http()
        .post('/participants')
        .set('Platform-TenantId', tenant)
        .send({ code: id12('N'), kind: 'source_bb' })
        .expect(201);
      expect(res.body.participant.tenantId).toBe(tenant);
      const audit = (await sandbox.ds.query(
        `SELECT actor_id, actor_kind FROM audit_log WHERE tenant_id = $1`,
        [tenant],
      )) as Record<string, string>[];
      expect(audit).toEqual([{ actor_id: 'sandbox:sandbox', actor_kind: 'sandbox' }]);
    });

    it('refuses a tenant header that is not a valid tenant ID', async () => {
      await sandbox.http().get('/participants').set('Platform-TenantId', 'no spaces allowed').expect(400);
    });

    it('leaves the app with AUTH_MODE=on unaffected', async () => {
      await listParticipants({ 'Platform-TenantId': tenantA }).expect(401);
    });
  });
});
