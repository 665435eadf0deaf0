import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signCallback } from '@app/callbacks/signature';

/** Helpers for the biller and payer FI specs: a tiny stand-in for the server, and a request helper. */

export interface PbbRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

export interface FakePbb {
  url: string;
  requests: PbbRequest[];
  /** Answer the next `n` requests 503. */
  failNext(n: number): void;
  /** The answer to give a request (default 200 {"ok": true}). */
  respond(fn: (r: PbbRequest) => [number, unknown]): void;
  waitFor(pred: (r: PbbRequest[]) => boolean, timeoutMs?: number): Promise<PbbRequest[]>;
  close(): Promise<void>;
}

export async function startFakePbb(): Promise<FakePbb> {
  const requests: PbbRequest[] = [];
  let failures = 0;
  let responder: (r: PbbRequest) => [number, unknown] = () => [200, { ok: true }];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const r: PbbRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: raw === '' ? undefined : (JSON.parse(raw) as Record<string, unknown>),
      };
      requests.push(r);
      let [status, body] = responder(r);
      if (failures > 0) {
        failures -= 1;
        [status, body] = [503, { error: 'down' }];
      }
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext: (n) => {
      failures = n;
    },
    respond: (fn) => {
      responder = fn;
    },
    waitFor: async (pred, timeoutMs = 3_000) => {
      const until = Date.now() + timeoutMs;
      while (!pred(requests)) {
        if (Date.now() > until) throw new Error(`fake PBB: condition not met (${requests.length} requests)`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A request to a simulator as the server makes it: JSON, and signed when `secret` is given. */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  opts: { secret?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { ...opts.headers };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.secret !== undefined)
    headers['X-Signature'] = signCallback(opts.secret, Math.floor(Date.now() / 1000), text);
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : text,
  });
  const raw = await res.text();
  return {
    status: res.status,
    json: raw === '' ? undefined : (JSON.parse(raw) as unknown),
    headers: res.headers,
  };
}
