import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { buildOpenApiDocument } from '../apps/payments-bb/src/bootstrap/swagger';
import { createParticipant, createTenant, id12, TestParticipant } from './support/factories';
import { bankBeneficiary, v1Request } from './support/mapper-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const OPENAPI_FILE = join(__dirname, '..', 'openapi', 'payments-bb.openapi.json');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MALFORMED_JSON = '{"RequestID": "RequestID111", "SourceBBID": ';

/** The first line where two texts differ, to say what changed without printing 40 kB. */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const i = x.findIndex((line, n) => line !== y[n]);
  const at = i < 0 ? Math.min(x.length, y.length) : i;
  return `line ${at + 1}: committed ${JSON.stringify(x[at])}, generated ${JSON.stringify(y[at])}`;
}

describe('Platform: health, docs, correlation IDs, error shapes, audit log, tenancy', () => {
  let t: TestApp;
  let tenantId: string;
  let operator: TestParticipant;
  let source: TestParticipant;

  beforeAll(async () => {
    t = await createTestApp();
    tenantId = await createTenant(t.ds);
    operator = await createParticipant(t, { tenantId, kind: 'operator' });
    source = await createParticipant(t, { tenantId, kind: 'source_bb' });
  });
  afterAll(() => t.close());

  describe('health', () => {
    it('GET /healthcheck answers 200 with PostgreSQL and Redis up, without credentials', async () => {
      const res = await t.http().get('/healthcheck').expect(200);
      expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
    });

    it('GET /health/ready answers 200 with the checks', async () => {
      const res = await t.http().get('/health/ready').expect(200);
      expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
    });

    it('GET /health/live answers 200', async () => {
      const res = await t.http().get('/health/live').expect(200);
      expect(res.body).toEqual({ status: 'ok' });
    });
  });

  describe('API documentation', () => {
    it('serves Swagger UI at /docs without credentials', async () => {
      const res = await t.http().get('/docs').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('swagger-ui');
    });

    it('serves the OpenAPI JSON at /docs-json without credentials, with the mapper and platform paths', async () => {
      const res = await t.http().get('/docs-json').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining([
          '/healthcheck',
          '/oauth/token',
          '/participants',
          '/register-beneficiary',
          '/update-beneficiary-details',
          '/identityAccountMapper/beneficiary',
          '/beneficiary',
        ]),
      );
      expect(Object.keys(res.body.components.securitySchemes).sort()).toEqual(['api-key', 'bearer']);
      expect(res.body).toEqual(buildOpenApiDocument(t.app));
    });

    it('the committed openapi/payments-bb.openapi.json is current', () => {
      const generated = `${JSON.stringify(buildOpenApiDocument(t.app), null, 2)}\n`;
      let committed: string;
      try {
        committed = readFileSync(OPENAPI_FILE, 'utf8');
      } catch {
        throw new Error(`${OPENAPI_FILE} is missing: run npm run openapi:generate and commit it`);
      }
      if (committed !== generated) {
        throw new Error(
          `${OPENAPI_FILE} is stale (${firstDifference(committed, generated)}): run npm run openapi:generate and commit it`,
        );
      }
    });
  });

  describe('X-CorrelationID', () => {
    it('echoes the caller’s correlation ID', async () => {
      const res = await t.http().get('/health/live').set('X-CorrelationID', 'trace-abc.123:x_y').expect(200);
      expect(res.headers['x-correlationid']).toBe('trace-abc.123:x_y');
    });

    it('generates a UUID when none is given, a new one per request', async () => {
      const a = await t.http().get('/health/live').expect(200);
      const b = await t.http().get('/health/live').expect(200);
      expect(a.headers['x-correlationid']).toMatch(UUID);
      expect(b.headers['x-correlationid']).toMatch(UUID);
      expect(a.headers['x-correlationid']).not.toBe(b.headers['x-correlationid']);
    });

    it('replaces a correlation ID that is not safe to log or echo', async () => {
      for (const bad of ['has spaces in it', 'x'.repeat(65), 'semi;colon']) {
        const res = await t.http().get('/health/live').set('X-CorrelationID', bad).expect(200);
        expect(res.headers['x-correlationid']).toMatch(UUID);
      }
    });

    it('carries it into platform-shaped error bodies', async () => {
      const res = await t.http().get('/participants').set('X-CorrelationID', 'corr-401-test').expect(401);
      expect(res.headers['x-correlationid']).toBe('corr-401-test');
      expect(res.body).toEqual({
        error: {
          code: 'UNAUTHENTICATED',
          message: 'Credentials required: send X-API-Key or Authorization: Bearer <token>',
          correlationId: 'corr-401-test',
        },
      });
    });

    it('is on every 2xx response', async () => {
      const http = t.http;
      const calls: [string, () => Promise<Response>][] = [
        ['GET /healthcheck', () => http().get('/healthcheck')],
        ['GET /health/live', () => http().get('/health/live')],
        ['GET /health/ready', () => http().get('/health/ready')],
        ['GET /docs', () => http().get('/docs')],
        ['GET /docs-json', () => http().get('/docs-json')],
        [
          'POST /oauth/token',
          () =>
            http()
              .post('/oauth/token')
              .auth(operator.clientId, operator.clientSecret)
              .type('form')
              .send({ grant_type: 'client_credentials' }),
        ],
        ['GET /participants', () => http().get('/participants').set('X-API-Key', operator.apiKey)],
        [
          'GET /participants/:id',
          () => http().get(`/participants/${source.id}`).set('X-API-Key', operator.apiKey),
        ],
        [
          'POST /register-beneficiary',
          () =>
            http()
              .post('/register-beneficiary')
              .set('X-API-Key', source.apiKey)
              .send(v1Request(source.code, [bankBeneficiary()])),
        ],
      ];
      const seen: { name: string; success: boolean; correlationId: unknown }[] = [];
      for (const [name, call] of calls) {
        const res = await call();
        seen.push({
          name,
          success: res.status >= 200 && res.status < 300,
          correlationId: res.headers['x-correlationid'],
        });
      }
      expect(seen).toEqual(
        calls.map(([name]) => ({ name, success: true, correlationId: expect.stringMatching(UUID) })),
      );
    });
  });

  describe('malformed JSON', () => {
    const sendRaw = (path: string) =>
      t
        .http()
        .post(path)
        .set('Content-Type', 'application/json')
        .set('X-API-Key', source.apiKey)
        .set('X-CorrelationID', 'corr-malformed')
        .send(MALFORMED_JSON);

    it('is a 400 in the GovStack shape on /register-beneficiary', async () => {
      const res = await sendRaw('/register-beneficiary').expect(400);
      expect(res.body).toEqual({
        ResponseCode: '01',
        ResponseDescription: 'MALFORMED_JSON: Request body is not valid JSON',
        RequestID: null,
      });
      expect(res.headers['x-correlationid']).toBe('corr-malformed');
    });

    it('is a 400 in the GovStack shape on the v3 mapper paths too', async () => {
      for (const path of ['/update-beneficiary-details', '/identityAccountMapper/beneficiary']) {
        const res = await sendRaw(path).expect(400);
        expect(res.body).toEqual({
          ResponseCode: '01',
          ResponseDescription: expect.stringMatching(/^MALFORMED_JSON: /),
          RequestID: null,
        });
      }
    });

    it('is a 400 in the platform shape on /participants', async () => {
      const res = await sendRaw('/participants').expect(400);
      expect(res.body).toEqual({
        error: {
          code: 'MALFORMED_JSON',
          message: 'Request body is not valid JSON',
          correlationId: 'corr-malformed',
        },
      });
    });

    it('never reaches the database', async () => {
      const requestId = id12('M');
      await t
        .http()
        .post('/register-beneficiary')
        .set('Content-Type', 'application/json')
        .set('X-API-Key', source.apiKey)
        .send(`{"RequestID":"${requestId}","SourceBBID":"${source.code}","Beneficiaries":[}`)
        .expect(400);
      const rows = (await t.ds.query(
        `SELECT 1 FROM beneficiaries WHERE tenant_id = $1 AND created_request_id = $2`,
        [tenantId, requestId],
      )) as unknown[];
      expect(rows).toHaveLength(0);
    });
  });

  describe('audit_log is append-only in the database', () => {
    const insertAuditRow = async (tenant: string): Promise<string> => {
      const [row] = (await t.ds.query(
        `INSERT INTO audit_log (tenant_id, actor_id, actor_kind, action, object_type, object_id)
         VALUES ($1, 'test', 'system', 'test.append-only', 'test', 'obj-1') RETURNING id`,
        [tenant],
      )) as { id: string }[];
      return row.id;
    };

    /** Runs a statement in a transaction that is always rolled back, so a missing guard cannot harm other tests. */
    const inRolledBackTransaction = async (sql: string, params: unknown[] = []) => {
      const qr = t.ds.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      try {
        return await qr.query(sql, params);
      } finally {
        await qr.rollbackTransaction();
        await qr.release();
      }
    };

    it('accepts INSERT', async () => {
      const tenant = await createTenant(t.ds);
      const id = await insertAuditRow(tenant);
      const rows = (await t.ds.query(`SELECT action FROM audit_log WHERE id = $1`, [id])) as {
        action: string;
      }[];
      expect(rows).toEqual([{ action: 'test.append-only' }]);
    });

    it.each([
      ['UPDATE', `UPDATE audit_log SET action = 'tampered' WHERE id = $1`],
      ['DELETE', `DELETE FROM audit_log WHERE id = $1`],
    ])('refuses %s', async (op, sql) => {
      const tenant = await createTenant(t.ds);
      const id = await insertAuditRow(tenant);
      await expect(inRolledBackTransaction(sql, [id])).rejects.toMatchObject({
        message: `audit_log rows are immutable: ${op} refused`,
        code: '42501',
      });
      const rows = (await t.ds.query(`SELECT action FROM audit_log WHERE id = $1`, [id])) as {
        action: string;
      }[];
      expect(rows).toEqual([{ action: 'test.append-only' }]);
    });

    it('refuses TRUNCATE', async () => {
      await insertAuditRow(await createTenant(t.ds));
      await expect(inRolledBackTransaction(`TRUNCATE audit_log`)).rejects.toMatchObject({
        message: 'audit_log rows are immutable: TRUNCATE refused',
      });
      const [{ n }] = (await t.ds.query(`SELECT count(*)::int AS n FROM audit_log`)) as { n: number }[];
      expect(n).toBeGreaterThan(0);
    });

    it('records who did what when a participant is created through the API', async () => {
      const res = await t
        .http()
        .post('/participants')
        .set('X-API-Key', operator.apiKey)
        .set('X-CorrelationID', 'corr-audit-1')
        .send({ code: id12('A'), kind: 'source_bb' })
        .expect(201);
      const rows = (await t.ds.query(
        `SELECT tenant_id, actor_id, actor_kind, action, object_type, correlation_id, after_digest
         FROM audit_log WHERE tenant_id = $1 AND object_id = $2`,
        [tenantId, res.body.participant.id],
      )) as Record<string, string>[];
      expect(rows).toEqual([
        {
          tenant_id: tenantId,
          actor_id: operator.id,
          actor_kind: 'operator',
          action: 'participant.create',
          object_type: 'participant',
          correlation_id: 'corr-audit-1',
          after_digest: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      ]);
    });
  });

  it('every business table carries a NOT NULL tenant_id', async () => {
    const tables = (await t.ds.query(
      `SELECT t.table_name AS name, c.is_nullable AS nullable
       FROM information_schema.tables t
       LEFT JOIN information_schema.columns c
         ON c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = 'tenant_id'
       WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
         AND t.table_name NOT IN ('schema_migrations', 'tenants')
       ORDER BY t.table_name`,
    )) as { name: string; nullable: string | null }[];
    expect(tables.map((x) => x.name)).toEqual(
      expect.arrayContaining([
        'audit_log',
        'beneficiaries',
        'callback_deliveries',
        'idempotency_keys',
        'participants',
      ]),
    );
    const unguarded = tables
      .filter((x) => x.nullable !== 'NO')
      .map((x) => `${x.name} (tenant_id ${x.nullable ? 'nullable' : 'missing'})`);
    expect(unguarded).toEqual([]);
  });
});
