import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The signature helper alone, not the library's index: the simulator stays a plain node:http program.
import { verifyCallbackSignature } from '@app/callbacks/signature';

/** One callback as the receiver saw it. */
export interface ReceivedCallback {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it was not JSON. */
  body: unknown;
  rawBody: string;
  /** Present only when the receiver was given a secret to check X-Signature with. */
  signatureValid?: boolean;
  /** The status the receiver answered with. */
  status: number;
}

export interface CallbackReceiver {
  /** Base URL, e.g. http://127.0.0.1:4010 */
  url: string;
  received: ReceivedCallback[];
  /** While down, every callback is answered 503 (and still recorded). */
  setDown(down: boolean): void;
  /** Answer the next `n` callbacks 503. */
  failNext(n: number): void;
  waitFor(predicate: (c: ReceivedCallback) => boolean, timeoutMs?: number): Promise<ReceivedCallback>;
  close(): Promise<void>;
}

export interface CallbackReceiverOptions {
  port?: number;
  host?: string;
  secret?: string;
}

const CONTROL_PREFIX = '/_sim/';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A simulator left running for days must not grow without bound; the oldest callbacks are forgotten first. */
const MAX_RECORDED = 10_000;

/**
 * A stand-in for a client's callback endpoint (a Source BB, an FSP): records what it is sent, checks signatures,
 * and can be told to be down. Control endpoints under /_sim/ let a human or another process drive it.
 */
export async function startCallbackReceiver(opts: CallbackReceiverOptions = {}): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const waiters = new Set<() => void>();
  let down = false;
  let failures = 0;

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const path = req.url ?? '/';
        if (path.startsWith(CONTROL_PREFIX)) return control(req.method ?? 'GET', path, raw, res);
        let status = 200;
        if (down) status = 503;
        else if (failures > 0) {
          failures -= 1;
          status = 503;
        }
        if (received.length >= MAX_RECORDED) received.shift();
        received.push({
          method: req.method ?? 'GET',
          path,
          headers: req.headers,
          body: parseJson(raw),
          rawBody: raw,
          signatureValid:
            opts.secret === undefined
              ? undefined
              : verifyCallbackSignature(opts.secret, header(req, 'x-signature'), raw),
          status,
        });
        for (const wake of waiters) wake();
        reply(res, status, status === 200 ? { received: true } : { error: 'receiver is down' });
      })
      .catch(() => reply(res, 400, { error: 'could not read the request' }));
  });

  function control(method: string, path: string, raw: string, res: ServerResponse): void {
    if (method === 'GET' && path === '/_sim/received') return reply(res, 200, received);
    if (method === 'DELETE' && path === '/_sim/received') {
      received.length = 0;
      return reply(res, 204);
    }
    if (method === 'POST' && path === '/_sim/down') {
      const body = parseJson(raw) as { down?: unknown } | undefined;
      if (typeof body?.down !== 'boolean') return reply(res, 400, { error: 'send {"down": true|false}' });
      down = body.down;
      return reply(res, 200, { down });
    }
    reply(res, 404, { error: 'unknown simulator control endpoint' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    received,
    setDown: (d) => {
      down = d;
    },
    failNext: (n) => {
      failures = n;
    },
    waitFor: (predicate, timeoutMs = 10_000) =>
      new Promise<ReceivedCallback>((resolve, reject) => {
        const check = () => {
          const hit = received.find(predicate);
          if (!hit) return;
          done();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`No matching callback within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
