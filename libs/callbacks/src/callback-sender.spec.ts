import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callbackHeaders, sendCallback, truncateError } from './callback-sender';
import { verifyCallbackSignature } from './signature';

interface Seen {
  method?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local server whose answer each test chooses. */
async function server(answer: (path: string) => { status: number; location?: string; hangMs?: number }) {
  const seen: Seen[] = [];
  const s: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      const a = answer(req.url ?? '/');
      setTimeout(
        () => res.writeHead(a.status, a.location ? { Location: a.location } : {}).end('secret personal data'),
        a.hangMs ?? 0,
      );
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((r) => {
      s.closeAllConnections();
      s.close(() => r());
    });
  return { url, seen, close };
}

describe('callbackHeaders', () => {
  it('carries correlation, date, delivery, attempt, event and a verifiable signature', () => {
    const now = new Date('2025-11-22T10:00:00Z');
    const body = '{"a":1}';
    const h = callbackHeaders({
      deliveryId: 'd-1',
      attempt: 3,
      eventType: 'mapper.done',
      correlationId: 'c-1',
      secret: 's3cret',
      body,
      now,
    });
    expect(h).toMatchObject({
      'Content-Type': 'application/json',
      'X-CorrelationID': 'c-1',
      'X-Date': 'Sat, 22 Nov 2025 10:00:00 GMT',
      'X-Callback-ID': 'd-1',
      'X-Callback-Attempt': '3',
      'X-Callback-Event': 'mapper.done',
    });
    expect(verifyCallbackSignature('s3cret', h['X-Signature'], body, 300, now.getTime() / 1000)).toBe(true);
  });
});

describe('sendCallback', () => {
  const body = JSON.stringify({ hello: 'world' });
  const headers = { 'Content-Type': 'application/json', 'X-Test': 'yes' };

  it('counts a 2xx as delivered and sends the body and headers as given', async () => {
    const s = await server(() => ({ status: 202 }));
    try {
      const r = await sendCallback(`${s.url}/cb`, 'PUT', headers, body, 2_000);
      expect(r).toMatchObject({ outcome: 'delivered', statusCode: 202, error: null });
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      expect(s.seen[0]).toMatchObject({ method: 'PUT', body });
      expect(s.seen[0].headers['x-test']).toBe('yes');
    } finally {
      await s.close();
    }
  });

  it('records a non-2xx status without keeping the response body', async () => {
    const s = await server(() => ({ status: 503 }));
    try {
      const r = await sendCallback(`${s.url}/cb`, 'POST', headers, body, 2_000);
      expect(r).toMatchObject({ outcome: 'http_error', statusCode: 503, error: 'HTTP 503' });
      expect(JSON.stringify(r)).not.toContain('personal');
    } finally {
      await s.close();
    }
  });

  it('does not follow redirects', async () => {
    const s = await server((path) =>
      path === '/cb' ? { status: 302, location: '/elsewhere' } : { status: 200 },
    );
    try {
      const r = await sendCallback(`${s.url}/cb`, 'POST', headers, body, 2_000);
      expect(r).toMatchObject({ outcome: 'redirect', statusCode: 302 });
      expect(s.seen).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('gives up after the timeout', async () => {
    const s = await server(() => ({ status: 200, hangMs: 1_000 }));
    try {
      const r = await sendCallback(`${s.url}/cb`, 'POST', headers, body, 150);
      expect(r).toMatchObject({ outcome: 'timeout', statusCode: null });
      expect(r.durationMs).toBeLessThan(900);
    } finally {
      await s.close();
    }
  });

  it('reports a refused connection as a network error with its cause', async () => {
    const s = await server(() => ({ status: 200 }));
    await s.close();
    const r = await sendCallback(`${s.url}/cb`, 'POST', headers, body, 2_000);
    expect(r.outcome).toBe('network_error');
    expect(r.error).toContain('ECONNREFUSED');
  });
});

describe('truncateError', () => {
  it('keeps at most 300 characters', () => {
    expect(truncateError('short')).toBe('short');
    expect(truncateError('x'.repeat(1000))).toHaveLength(300);
  });
});
