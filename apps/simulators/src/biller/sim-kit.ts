import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The signature helper alone, not the library's index: the simulators stay plain node:http programs.
import { verifyCallbackSignature } from '@app/callbacks/signature';
import { header } from '../payer-fsp/http-io';

/**
 * Small pieces shared by the biller and payer FI simulators (the payer FI imports them from here): JSON answers
 * with a Content-Length, header snapshots, random IDs, waiters, and outgoing requests with retries.
 */

export const CONTROL_PREFIX = '/_sim/';

/**
 * How a simulator reaches the server and checks it: set at start, or later with `link()` once the server has
 * issued the participant's credentials (a test onboards the participant with the simulator's URL first).
 */
export interface SimLink {
  /** When set, requests outside /_sim/ must carry a valid X-Signature made with it. */
  secret?: string;
  pbbUrl?: string;
  pbbApiKey?: string;
  tenantId?: string;
  /** Payer FI only: its participant code, sent as X-PayerFI-Id. */
  payerFiId?: string;
}

/** Applies a partial link; a base URL loses its trailing slashes. */
export function updateLink(link: SimLink, c: Partial<SimLink>): void {
  for (const [k, v] of Object.entries(c) as [keyof SimLink, string | undefined][])
    if (v !== undefined) link[k] = v;
  if (link.pbbUrl) link.pbbUrl = link.pbbUrl.replace(/\/+$/, '');
}
/** Recorded requests kept per list; the oldest are forgotten first, so a long run does not grow without bound. */
export const MAX_RECORDED = 10_000;

/** A JSON answer with Content-Length, so keep-alive connections are reused without chunked encoding. */
export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (body === undefined) {
    res.writeHead(status, { 'Content-Length': 0 }).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
    .end(text);
}

/** The request's headers as lower-cased name → value (repeated headers joined with ", "). */
export function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** True when there is no secret, or the request carries a valid X-Signature over `raw`. */
export function signatureOk(secret: string | undefined, req: IncomingMessage, raw: string): boolean {
  return secret === undefined || verifyCallbackSignature(secret, header(req, 'x-signature'), raw);
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A random ID of `length` capital letters and digits. */
export function newId(length: number): string {
  const bytes = randomBytes(length);
  let id = '';
  for (let i = 0; i < length; i++) id += ID_ALPHABET[bytes[i] % ID_ALPHABET.length];
  return id;
}

/** Today (UTC) plus `days`, as YYYY-MM-DD. */
export function isoDate(days = 0, now = Date.now()): string {
  return new Date(now + days * 86_400_000).toISOString().slice(0, 10);
}

export function pushCapped<T>(list: T[], item: T): void {
  if (list.length >= MAX_RECORDED) list.shift();
  list.push(item);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${hostInUrl}:${address.port}`;
}

/**
 * `waitFor(pred)` for a simulator: the predicate is tried on a fresh snapshot now and at every `notify()`;
 * pending waits are rejected by `closeAll()`.
 */
export class Waiters<S> {
  private readonly checks = new Set<() => void>();
  private readonly stops = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly snapshot: () => S,
    private readonly name: string,
  ) {}

  notify(): void {
    for (const check of this.checks) check();
  }

  wait(pred: (s: S) => boolean, timeoutMs = 10_000): Promise<S> {
    return new Promise<S>((resolve, reject) => {
      if (this.closed) return reject(new Error(`the ${this.name} simulator is closed`));
      const done = () => {
        clearTimeout(timer);
        this.checks.delete(check);
        this.stops.delete(stop);
      };
      const check = () => {
        let s: S;
        let hit: boolean;
        try {
          s = this.snapshot();
          hit = pred(s);
        } catch (err) {
          done();
          return reject(err as Error);
        }
        if (!hit) return;
        done();
        resolve(s);
      };
      const stop = () => {
        done();
        reject(new Error(`the ${this.name} simulator was closed while waiting`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name} simulator: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      this.checks.add(check);
      this.stops.add(stop);
      check();
    });
  }

  closeAll(): void {
    this.closed = true;
    for (const stop of this.stops) stop();
  }
}

export interface OutboundResult {
  /** HTTP status of the last answer; null when there was none. */
  status: number | null;
  /** The last answer's body, parsed when JSON. */
  body?: unknown;
  attempts: number;
  error?: string;
}

export interface OutboxOptions {
  /** Attempts per request (default 4). */
  maxAttempts?: number;
  /** First retry delay, doubled each time (default 100 ms). */
  retryBaseMs?: number;
  /** An attempt without an answer within this fails (default 5 000 ms). */
  timeoutMs?: number;
}

/**
 * Requests a simulator sends on its own (acknowledgements, RTP responses, payments). A refused connection, a
 * timeout, a 429 or a 5xx answer is tried again after a doubling back-off; other answers are final. Every timer
 * and request is cancelled by `stop()`, so nothing outlives close().
 */
export class Outbox {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
  private readonly inFlight = new Set<AbortController>();
  /** Resolvers of back-off pauses, called with false by stop(). */
  private readonly pauses = new Set<(go: boolean) => void>();
  private stopped = false;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly timeoutMs: number;

  constructor(opts: OutboxOptions = {}) {
    this.maxAttempts = opts.maxAttempts ?? 4;
    this.retryBaseMs = opts.retryBaseMs ?? 100;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
  }

  /** Runs `fn` after `delayMs` (0: at the next turn of the event loop, after the current answer has gone). */
  later(delayMs: number, fn: () => void): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        fn();
      }, delayMs);
      timer.unref();
      this.timers.add(timer);
      return;
    }
    const immediate = setImmediate(() => {
      this.immediates.delete(immediate);
      fn();
    });
    this.immediates.add(immediate);
  }

  async send(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string | undefined>,
    body?: unknown,
  ): Promise<OutboundResult> {
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined && v !== '') sent[k] = v;
    if (body !== undefined) sent['Content-Type'] = 'application/json';
    const text = body === undefined ? undefined : JSON.stringify(body);
    let last: OutboundResult = { status: null, attempts: 0 };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (this.stopped) return { ...last, attempts: attempt - 1, error: 'simulator closed' };
      last = { ...(await this.attempt(method, url, sent, text)), attempts: attempt };
      const retryable = last.status === null || last.status === 429 || last.status >= 500;
      if (!retryable || attempt === this.maxAttempts) break;
      if (!(await this.pause(this.retryBaseMs * 2 ** (attempt - 1))))
        return { ...last, error: 'simulator closed' };
    }
    return last;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const i of this.immediates) clearImmediate(i);
    for (const c of this.inFlight) c.abort();
    for (const wake of this.pauses) wake(false);
    this.timers.clear();
    this.immediates.clear();
  }

  private async attempt(
    method: string,
    url: string,
    headers: Record<string, string>,
    text: string | undefined,
  ): Promise<Omit<OutboundResult, 'attempts'>> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const res = await fetch(url, { method, headers, body: text, signal: controller.signal });
      const raw = await res.text();
      let body: unknown = raw;
      try {
        body = raw === '' ? undefined : (JSON.parse(raw) as unknown);
      } catch {
        // not JSON: keep the text
      }
      return res.ok
        ? { status: res.status, body }
        : { status: res.status, body, error: `HTTP ${res.status}` };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const reason = controller.signal.aborted
        ? 'no answer (timeout or closed)'
        : (e.cause?.code ?? e.message);
      return { status: null, error: String(reason).slice(0, 200) };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve(false);
      const wake = (go: boolean) => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.pauses.delete(wake);
        resolve(go);
      };
      const timer = setTimeout(() => wake(!this.stopped), ms);
      timer.unref();
      this.timers.add(timer);
      this.pauses.add(wake);
    });
  }
}
