import express from 'express';
import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { correlationIdMiddleware, Principal } from '@app/platform';
import { loggerOptions, REDACTED_PATHS } from './logger-options';

const SECRETS = {
  cookie: 'pbb_console=SESSIONTOKENSESSIONTOKENSESSIONTOKENSESSIONTOK',
  authorization: 'Bearer BEARER-SECRET-123',
  apiKey: 'APIKEY-SECRET-456',
  csrf: 'CSRF-SECRET-789',
  setCookie: 'pbb_console=NEWSESSIONSECRET; HttpOnly',
  body: 'NL87ABNA4193835510',
  query: 'QUERY-SECRET-PayeeFunctionalID001',
};

/** An Express app logging through the server's pino-http options into memory; `principal` stands in for the guard. */
function appLoggingTo(lines: string[], principal?: Principal) {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const app = express();
  app.use(correlationIdMiddleware);
  app.use(pinoHttp(loggerOptions({ env: { LOG_LEVEL: 'info' } }).pinoHttp as object, stream));
  app.use(express.json());
  app.post('/things/:id', (req, res) => {
    if (principal) (req as express.Request & { principal?: Principal }).principal = principal;
    // Something careless inside a handler: a header object, an HTTP client's error with its request config.
    req.log.info({ headers: { ...req.headers } }, 'headers seen');
    req.log.info(
      { upstream: { url: '/x', headers: { 'x-api-key': SECRETS.apiKey, cookie: SECRETS.cookie } } },
      'nested',
    );
    const err = Object.assign(new Error('upstream refused'), {
      code: 'ECONNREFUSED',
      config: { headers: { Authorization: SECRETS.authorization }, data: SECRETS.body },
      parameters: [SECRETS.body],
    });
    req.log.error({ err }, 'upstream call failed');
    res.setHeader('Set-Cookie', SECRETS.setCookie);
    res.status(201).json({ echoed: req.body });
  });
  return app;
}

const send = (app: express.Express) =>
  request(app)
    .post(`/things/42?payee=${SECRETS.query}`)
    .set('X-CorrelationID', 'corr-123')
    .set('Cookie', SECRETS.cookie)
    .set('Authorization', SECRETS.authorization)
    .set('X-API-Key', SECRETS.apiKey)
    .set('X-CSRF-Token', SECRETS.csrf)
    .send({ financialAddress: SECRETS.body });

describe('request logs', () => {
  it('carry correlation ID, tenant, client and operator, each once, and nothing secret or personal', async () => {
    const lines: string[] = [];
    const principal: Principal = {
      tenantId: 'tenant-a',
      participantId: null,
      participantCode: 'user:alice',
      kind: 'operator',
      scopes: ['*'],
      operator: { id: '6f1c7c84-1111-4222-8333-944455556666', username: 'alice', role: 'admin' },
    };
    expect((await send(appLoggingTo(lines, principal))).status).toBe(201);

    const all = lines.join('\n');
    for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
    expect(all).not.toContain('CSRF-SECRET');

    const summary = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'request completed')!;
    expect(summary).toMatchObject({
      correlationId: 'corr-123',
      tenant: 'tenant-a',
      client: 'user:alice',
      operator: 'alice',
      req: { method: 'POST', path: '/things/42' },
      res: { statusCode: 201 },
    });
    expect(Object.keys(summary.req as object).sort()).toEqual(['method', 'path']);
    expect(Object.keys(summary.res as object)).toEqual(['statusCode']);
    // No key twice on one line (log pipelines reject or mangle duplicate keys).
    const raw = lines.find((l) => l.includes('request completed'))!;
    expect(raw.match(/"correlationId"/g)).toHaveLength(1);

    // Lines logged while serving carry the correlation ID; the error keeps its message and code only.
    const failed = JSON.parse(lines.find((l) => l.includes('upstream call failed'))!) as {
      correlationId: string;
      err: object;
    };
    expect(failed.correlationId).toBe('corr-123');
    expect(failed.err).toMatchObject({ type: 'Error', message: 'upstream refused', code: 'ECONNREFUSED' });
    expect(failed.err).not.toHaveProperty('config');
    expect(failed.err).not.toHaveProperty('parameters');
    const seen = JSON.parse(lines.find((l) => l.includes('headers seen'))!) as {
      headers: Record<string, string>;
    };
    expect(seen.headers['x-correlationid']).toBe('corr-123');
    for (const h of ['cookie', 'authorization', 'x-api-key', 'x-csrf-token'])
      expect(seen.headers).not.toHaveProperty(h);
  });

  it('of an API client carry tenant and client but no operator', async () => {
    const lines: string[] = [];
    await send(
      appLoggingTo(lines, {
        tenantId: 'tenant-b',
        participantId: '0b7d7f3e-1111-4222-8333-944455556666',
        participantCode: 'REGISTRY01',
        kind: 'registration_bb',
        scopes: ['mapper:read'],
      }),
    );
    const summary = JSON.parse(lines.find((l) => l.includes('request completed'))!) as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({ correlationId: 'corr-123', tenant: 'tenant-b', client: 'REGISTRY01' });
    expect(summary).not.toHaveProperty('operator');
  });

  it('redact every credential header wherever it appears', () => {
    for (const h of ['cookie', 'set-cookie', 'authorization', 'x-api-key', 'x-csrf-token'])
      for (const prefix of ['req.headers', 'res.headers', 'headers', '*.headers'])
        expect(REDACTED_PATHS).toContain(`${prefix}["${h}"]`);
  });
});
