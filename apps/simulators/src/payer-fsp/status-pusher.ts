import type { InstructionStatus, PushAttempt, PushStats } from './payer-fsp-types';

/** One chunk of a sub-batch's statuses on its way to the server's statusPushUrl. */
export interface PushJob {
  subBatchId: string;
  chunk: number;
  statuses: readonly InstructionStatus[];
  /** Read when the attempt is made, so a re-submission with a new push URL redirects pending retries. */
  url: () => string;
  correlationId?: string;
  attempts: number;
}

export interface StatusPusherOptions {
  concurrency: number;
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
  /** Authentication headers, read at each attempt so configure() takes effect on retries too. */
  headers: () => Record<string, string>;
  /** Called after every attempt; the attempt is already in `log`. */
  onAttempt: (attempt: PushAttempt, job: PushJob) => void;
}

const MAX_RETRY_DELAY_MS = 30_000;
const MAX_LOGGED = 10_000;
const MAX_ERROR_CHARS = 200;

/**
 * Delivers status pushes: at most `concurrency` requests in flight, the rest queued in order; a failed attempt
 * (no answer, or not 2xx) is tried again after a doubling back-off, up to `maxAttempts`. A chunk waiting for its
 * back-off holds no connection. Every timer is unref'd and cleared by `clear()`, so nothing outlives close().
 */
export class StatusPusher {
  readonly log: PushAttempt[] = [];
  private readonly queue: PushJob[] = [];
  private queueHead = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly counts = { attempts: 0, delivered: 0, failedAttempts: 0, gaveUp: 0 };
  /** Bumped by clear(): answers to requests started before it are dropped. */
  private generation = 0;

  constructor(private readonly opts: StatusPusherOptions) {}

  /** Queues `jobs` after `delayMs` (0: at the next turn of the event loop, after the 202 has gone out). */
  pushLater(jobs: PushJob[], delayMs: number): void {
    this.later(delayMs, () => {
      for (const job of jobs) this.queue.push(job);
      this.pump();
    });
  }

  stats(): PushStats {
    return {
      ...this.counts,
      queued: this.queue.length - this.queueHead,
      inFlight: this.inFlight.size,
      scheduled: this.timers.size,
    };
  }

  /** Drops queued and scheduled pushes and aborts those in flight; the log and counts stay. */
  stop(): void {
    this.generation += 1;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort(new Error('simulator stopped'));
    this.inFlight.clear();
    this.queue.length = 0;
    this.queueHead = 0;
  }

  /** stop(), and the log and counts are forgotten too. */
  clear(): void {
    this.stop();
    this.log.length = 0;
    Object.assign(this.counts, { attempts: 0, delivered: 0, failedAttempts: 0, gaveUp: 0 });
  }

  private later(delayMs: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private pump(): void {
    while (this.inFlight.size < this.opts.concurrency && this.queueHead < this.queue.length) {
      const job = this.queue[this.queueHead++];
      void this.attempt(job);
    }
    // Let go of started jobs: all at once when the queue is drained, else now and then.
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  private async attempt(job: PushJob): Promise<void> {
    const generation = this.generation;
    const controller = new AbortController();
    this.inFlight.add(controller);
    job.attempts += 1;
    const timeout = setTimeout(
      () => controller.abort(new Error(`no answer within ${this.opts.timeoutMs} ms`)),
      this.opts.timeoutMs,
    );
    timeout.unref();
    let status = 0;
    let error: string | undefined;
    let answer: unknown;
    try {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', ...this.opts.headers() };
      if (job.correlationId) headers['X-Client-Correlation-ID'] = job.correlationId;
      const res = await fetch(job.url(), {
        method: 'POST',
        headers,
        body: JSON.stringify({ subBatchId: job.subBatchId, instructions: job.statuses }),
        redirect: 'manual',
        signal: controller.signal,
      });
      status = res.status;
      const text = await res.text();
      if (status < 200 || status > 299) error = clip(text) || `answered ${status}`;
      else answer = parseJson(text);
    } catch (err) {
      const e = err as Error & { cause?: unknown };
      const reason = controller.signal.reason as Error | undefined;
      error = clip(
        controller.signal.aborted && reason?.message
          ? reason.message
          : String((e.cause as Error)?.message ?? e.message),
      );
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    if (generation !== this.generation) return; // cleared meanwhile: this chunk is forgotten.

    const delivered = error === undefined;
    const outcome = delivered ? 'delivered' : job.attempts >= this.opts.maxAttempts ? 'gave-up' : 'retrying';
    this.counts.attempts += 1;
    if (delivered) this.counts.delivered += 1;
    else this.counts.failedAttempts += 1;
    if (outcome === 'gave-up') this.counts.gaveUp += 1;
    const entry: PushAttempt = {
      subBatchId: job.subBatchId,
      chunk: job.chunk,
      instructions: job.statuses.length,
      attempt: job.attempts,
      status,
      outcome,
      ...(error !== undefined ? { error } : {}),
      ...(answer !== undefined ? { answer } : {}),
      at: Date.now(),
    };
    if (this.log.length >= MAX_LOGGED) this.log.shift();
    this.log.push(entry);
    if (outcome === 'retrying') {
      const delay = Math.min(this.opts.retryBaseMs * 2 ** (job.attempts - 1), MAX_RETRY_DELAY_MS);
      this.later(delay, () => {
        this.queue.push(job);
        this.pump();
      });
    }
    this.pump();
    try {
      this.opts.onAttempt(entry, job);
    } catch {
      // An observer's mistake must not stop the deliveries.
    }
  }
}

/** Error texts are for people reading the log; keep them short and printable. */
function clip(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').slice(0, MAX_ERROR_CHARS);
}

function parseJson(text: string): unknown {
  if (text === '' || text.length > 10_000) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
