import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signCallback } from '@app/callbacks/signature';

/** Helpers for the payer FSP simulator's specs: a push receiver standing in for the server, and request builders. */

export interface ReceivedPush {
  url: string;
  headers: IncomingHttpHeaders;
  body: {
    subBatchId: string;
    instructions: { instructionId: string; status: string; [k: string]: unknown }[];
  };
  status: number;
}

export interface PushReceiver {
  /** The statusPushUrl to give the simulator for `batchId`. */
  pushUrl(batchId?: string): string;
  /** Every push received, answered or not. */
  pushes: ReceivedPush[];
  /** Answer the next `n` pushes with 503. */
  failNext(n: number): void;
  /** Hold every answer until release() (to observe how many pushes are in flight at once). */
  hold(): void;
  release(): void;
  inFlight(): number;
  maxInFlight(): number;
  /** Instruction statuses received with a 2xx answer, by instructionId (the last one wins). */
  statuses(): Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startPushReceiver(): Promise<PushReceiver> {
  const pushes: ReceivedPush[] = [];
  let failures = 0;
  let holding = false;
  let inFlight = 0;
  let maxInFlight = 0;
  const held: (() => void)[] = [];
  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        inFlight -= 1;
        const status = failures > 0 ? 503 : 200;
        if (failures > 0) failures -= 1;
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedPush['body'];
        pushes.push({ url: req.url ?? '', headers: req.headers, body, status });
        res
          .writeHead(status, { 'Content-Type': 'application/json' })
          .end(
            JSON.stringify(
              status === 200
                ? { applied: body.instructions.length, ignored: 0, unknown: 0 }
                : { error: 'down' },
            ),
          );
      };
      if (holding) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    pushUrl: (batchId = 'batch-1') => `${base}/api/v1/batch?batchId=${batchId}`,
    pushes,
    failNext: (n) => {
      failures = n;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    statuses: () => {
      const out = new Map<string, Record<string, unknown>>();
      for (const p of pushes)
        if (p.status === 200) for (const s of p.body.instructions) out.set(s.instructionId, s);
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const answer of held.splice(0)) answer();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface TestInstruction {
  id: string;
  amount?: string;
  address?: string;
}

/** A well-formed sub-batch body; amounts default to "100.00", addresses to +25571… (never set up by the specs). */
export function subBatchBody(
  subBatchId: string,
  statusPushUrl: string,
  instructions: TestInstruction[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const items = instructions.map((i, n) => ({
    instructionId: i.id,
    amount: i.amount ?? '100.00',
    currency: 'TZS',
    financialAddress: i.address ?? `+25571${String(n).padStart(7, '0')}`,
    paymentModality: '01',
    narration: 'Benefit May',
  }));
  const total = items
    .reduce((sum, i) => sum + BigInt(i.amount.replace('.', '')), 0n)
    .toString()
    .padStart(3, '0');
  return {
    subBatchId,
    batchId: 'batch-1',
    payerIdentifier: 'TZ-MOF-0001',
    destinationDFSPID: 'CRDBTZTZ',
    rail: 'mobile_money',
    currency: 'TZS',
    totalAmount: `${total.slice(0, -2)}.${total.slice(-2)}`,
    statusPushUrl,
    instructions: items,
    ...overrides,
  };
}

/** A request to the simulator as the server makes it: JSON, correlation ID, and signed when `secret` is given. */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  opts: { secret?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: unknown }> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'X-Client-Correlation-ID': 'corr-1', ...opts.headers };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.secret !== undefined)
    headers['X-Signature'] = signCallback(opts.secret, Math.floor(Date.now() / 1000), text);
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : text,
  });
  const raw = await res.text();
  return { status: res.status, json: raw === '' ? undefined : (JSON.parse(raw) as unknown) };
}
