import { parseDecimal } from './amounts';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The signature helper alone, not the library's index: the simulator stays a plain node:http program.
import { verifyCallbackSignature } from '@app/callbacks/signature';
import { checkAuthorization, checkSubBatch, checkValidation } from './connector-requests';
import { CONTROL_PREFIX, handleControl } from './control-endpoints';
import { BodyTooLarge, header, INVALID_JSON, parseJson, readBody, reply } from './http-io';
import { applyConfig, DEFAULT_CONFIG, publicConfig } from './payer-fsp-config';
import { PayerFspState } from './payer-fsp-state';
import type {
  AccountSetup,
  PayerFspConfig,
  PayerFspOptions,
  PayerFspSimulator,
  ReceivedSubBatch,
} from './payer-fsp-types';
import { PushJob, StatusPusher } from './status-pusher';

export type * from './payer-fsp-types';

const DEFAULTS = {
  seed: 42,
  pushConcurrency: 4,
  pushRetryBaseMs: 200,
  pushMaxAttempts: 10,
  pushTimeoutMs: 10_000,
  maxRetainedInstructions: 500_000,
};
const AUTHORIZATION_REFUSAL = 'Insufficient balance in the disbursement account';
const RECENT_IN_SUMMARY = 20;

/**
 * A payer FSP speaking the connector contract of docs/fsp-connector.md over plain node:http: it authorizes
 * batches, validates accounts, accepts sub-batches (idempotently by subBatchId), pays each instruction at most
 * once per sub-batch, and pushes the statuses back, or lets the server poll them. Accounts, latency, failures,
 * outages and lost pushes are set through the returned handle or the /_sim/ control endpoints.
 */
export async function startPayerFsp(opts: PayerFspOptions = {}): Promise<PayerFspSimulator> {
  const {
    port = 0,
    host = '127.0.0.1',
    secret,
    seed = DEFAULTS.seed,
    pushConcurrency = DEFAULTS.pushConcurrency,
    pushRetryBaseMs = DEFAULTS.pushRetryBaseMs,
    pushMaxAttempts = DEFAULTS.pushMaxAttempts,
    pushTimeoutMs = DEFAULTS.pushTimeoutMs,
    maxRetainedInstructions = DEFAULTS.maxRetainedInstructions,
    log = () => undefined,
    ...settings
  } = opts;
  checkPositiveInteger({ pushConcurrency, pushMaxAttempts, pushTimeoutMs, maxRetainedInstructions });
  if (!Number.isInteger(pushRetryBaseMs) || pushRetryBaseMs < 0)
    throw new RangeError('pushRetryBaseMs must be a non-negative integer');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  let config = applyConfig(
    DEFAULT_CONFIG,
    Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
  );

  const state = new PayerFspState(seed, maxRetainedInstructions);
  const counters = newCounters();
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const wake of waiters) wake();
  };

  const pusher = new StatusPusher({
    concurrency: pushConcurrency,
    retryBaseMs: pushRetryBaseMs,
    maxAttempts: pushMaxAttempts,
    timeoutMs: pushTimeoutMs,
    headers: () => ({
      ...(config.pbbApiKey ? { 'X-API-Key': config.pbbApiKey } : {}),
      ...(config.tenantId ? { 'Platform-TenantId': config.tenantId } : {}),
    }),
    onAttempt: (attempt) => {
      if (attempt.outcome === 'delivered') {
        const record = state.subBatches.get(attempt.subBatchId);
        if (record) record.pushedInstructions += attempt.instructions;
      } else if (attempt.outcome === 'gave-up') {
        log(
          `push of sub-batch ${attempt.subBatchId} chunk ${attempt.chunk} given up after ${attempt.attempt} ` +
            `attempts (last: ${attempt.status || 'no answer'}${attempt.error ? `, ${attempt.error}` : ''})`,
        );
      }
      notify();
    },
  });

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(req, res, raw))
      .catch((err: unknown) => {
        if (err instanceof BodyTooLarge) return; // the request was destroyed; there is no one to answer.
        reply(res, 500, { error: `simulator error: ${(err as Error).message}` });
      });
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    if (path.startsWith(CONTROL_PREFIX)) return handleControl(method, path, raw, res, control);

    counters.requests += 1;
    if (config.down) {
      counters.answeredDown += 1;
      return reply(res, 503, { error: 'payer FSP simulator is down' });
    }
    if (secret !== undefined && !verifyCallbackSignature(secret, header(req, 'x-signature'), raw)) {
      counters.badSignatures += 1;
      return reply(res, 401, { error: 'missing or invalid X-Signature' });
    }
    const body = parseJson(raw);
    if (body === INVALID_JSON) return badRequest(res, 'the body is not JSON');
    const command = url.searchParams.get('command');

    if (path === '/sub-batches') {
      if (method !== 'POST') return reply(res, 405, { error: 'use POST' });
      return submitSubBatch(req, res, body);
    }
    if (path.startsWith('/sub-batches/')) {
      if (method !== 'GET') return reply(res, 405, { error: 'use GET' });
      return querySubBatch(res, path.slice('/sub-batches/'.length));
    }
    if (path === '/transfers') {
      if (method !== 'POST') return reply(res, 405, { error: 'use POST' });
      return creditTransfer(res, body);
    }
    if (path.startsWith('/transfers/')) {
      if (method !== 'GET') return reply(res, 405, { error: 'use GET' });
      const id = safeDecode(path.slice('/transfers/'.length));
      const t = id === undefined ? undefined : state.transfers.get(id);
      if (!t) return reply(res, 404, { error: 'no such transfer' });
      return reply(res, 200, transferAnswer(id!, t));
    }
    if (path.startsWith('/batches/')) {
      if (method !== 'POST') return reply(res, 405, { error: 'use POST' });
      if (command !== 'authorize') return badRequest(res, 'command must be authorize');
      return authorize(res, path.slice('/batches/'.length), body);
    }
    if (path === '/beneficiaries') {
      if (method !== 'POST') return reply(res, 405, { error: 'use POST' });
      if (command !== 'validate') return badRequest(res, 'command must be validate');
      return validateAccounts(req, res, body);
    }
    reply(res, 404, { error: 'not a connector endpoint' });
  }

  function badRequest(res: ServerResponse, error: string): void {
    counters.badRequests += 1;
    reply(res, 400, { error });
  }

  function submitSubBatch(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    counters.subBatchSubmissions += 1;
    const checked = checkSubBatch(body);
    if (!checked.ok) return badRequest(res, checked.error);
    const sub = checked.value;
    if (config.refuseSubBatches && !state.subBatches.has(sub.subBatchId)) {
      counters.refusedSubBatches += 1;
      return reply(res, 422, { error: config.refuseSubBatches });
    }
    const result = state.submit(sub, config, Date.now(), header(req, 'x-client-correlation-id'));
    const { record } = result;
    switch (result.kind) {
      case 'conflict':
        counters.conflicts += 1;
        log(`sub-batch ${sub.subBatchId} received again with a different body: 409`);
        return reply(res, 409, {
          error: `subBatchId ${sub.subBatchId} was already received with a different body`,
        });
      case 'repeated':
        log(
          `sub-batch ${record.subBatchId} received again (${record.submissions} times): nothing paid again`,
        );
        break;
      case 'accepted':
        log(
          `sub-batch ${record.subBatchId} of batch ${record.batchId}: ${record.accepted} instructions, ` +
            `${record.paid} paid, ${record.rejected} rejected` +
            (config.pushDisabled ? ' (pushes disabled: poll GET /sub-batches/{id})' : ''),
        );
        if (!config.pushDisabled) pusher.pushLater(pushJobs(record), config.latencyMs);
        break;
    }
    reply(res, 202, { subBatchId: record.subBatchId, accepted: record.accepted });
    notify();
  }

  const held = new Set<ServerResponse>();

  function transferAnswer(
    id: string,
    t: { status: string; reasonCode?: string; reason?: string; fspReference?: string },
  ) {
    return {
      transferId: id,
      status: t.status,
      ...(t.fspReference ? { fspReference: t.fspReference } : {}),
      ...(t.reasonCode ? { reasonCode: t.reasonCode, reason: t.reason } : {}),
    };
  }

  function creditTransfer(res: ServerResponse, body: unknown): void {
    const b = (body ?? {}) as {
      transferId?: unknown;
      amount?: unknown;
      currency?: unknown;
      payee?: { financialAddress?: unknown };
    };
    const address = b.payee?.financialAddress;
    const amount = parseDecimal(b.amount);
    if (
      typeof b.transferId !== 'string' ||
      !b.transferId ||
      typeof address !== 'string' ||
      !amount ||
      typeof b.currency !== 'string'
    )
      return badRequest(
        res,
        'transferId, payee.financialAddress, amount (decimal string) and currency are required',
      );
    const result = state.transfer(b.transferId, JSON.stringify(body), address, amount, config);
    if (result.kind === 'conflict')
      return reply(res, 409, {
        error: `transferId ${b.transferId} was already received with a different body`,
      });
    const { record } = result;
    if (result.kind === 'accepted' && record.status === 'ACSC' && config.transferMode === 'pending') {
      record.status = 'PDNG';
      setTimeout(() => (record.status = 'ACSC'), config.latencyMs).unref();
    }
    if (result.kind === 'accepted' && config.transferMode === 'no_answer') {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    const answer = transferAnswer(b.transferId, record);
    if (config.latencyMs > 0 && config.transferMode !== 'pending') {
      setTimeout(() => reply(res, 200, answer), config.latencyMs).unref();
      return;
    }
    reply(res, 200, answer);
  }

  function pushJobs(record: ReceivedSubBatch): PushJob[] {
    const jobs: PushJob[] = [];
    for (let i = 0; i < record.statuses.length; i += config.pushChunkSize) {
      jobs.push({
        subBatchId: record.subBatchId,
        chunk: jobs.length,
        statuses: record.statuses.slice(i, i + config.pushChunkSize),
        url: () => record.statusPushUrl,
        correlationId: record.correlationId,
        attempts: 0,
      });
    }
    return jobs;
  }

  function querySubBatch(res: ServerResponse, encodedId: string): void {
    counters.queries += 1;
    const id = safeDecode(encodedId);
    if (id === undefined) return badRequest(res, 'the sub-batch ID in the URL is not valid');
    const record = state.subBatches.get(id);
    if (!record) return reply(res, 404, { error: `sub-batch ${id} was never received` });
    reply(res, 200, { subBatchId: record.subBatchId, instructions: state.statusesAt(record, Date.now()) });
  }

  function authorize(res: ServerResponse, encodedBatchId: string, body: unknown): void {
    counters.authorizations += 1;
    const batchId = safeDecode(encodedBatchId);
    if (batchId === undefined || batchId === '')
      return badRequest(res, 'the batch ID in the URL is not valid');
    const checked = checkAuthorization(body, batchId);
    if (!checked.ok) return badRequest(res, checked.error);
    switch (config.authorization) {
      case 'Y':
        return reply(res, 200, { status: 'Y' });
      case 'N':
        return reply(res, 200, { status: 'N', reason: AUTHORIZATION_REFUSAL });
      case 'pending':
        return reply(res, 202, { status: 'pending' });
    }
  }

  function validateAccounts(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    counters.validations += 1;
    if (!header(req, 'x-registering-institution-id'))
      return badRequest(res, 'the X-Registering-Institution-ID header is required');
    const checked = checkValidation(body);
    if (!checked.ok) return badRequest(res, checked.error);
    const failed = state.failedLookups(checked.value.creditInstructions, config);
    reply(res, 200, {
      batchId: checked.value.batchId,
      numberOfFailedCases: failed.length,
      failedAccountLookups: failed,
    });
  }

  function configure(partial: Partial<PayerFspConfig>): Readonly<PayerFspConfig> {
    config = applyConfig(config, partial);
    notify();
    return config;
  }

  function setAccount(financialAddress: string, account: AccountSetup): void {
    state.setAccount(financialAddress, account);
  }

  function reset(): void {
    pusher.clear();
    state.reset();
    Object.assign(counters, newCounters());
    notify();
  }

  function summary() {
    const recent = Array.from(state.subBatches.values())
      .slice(-RECENT_IN_SUMMARY)
      .map(({ statuses: _statuses, fingerprint: _fingerprint, ...rest }) => rest);
    return {
      url: sim.url,
      config: publicConfig(config),
      signatureCheck: secret !== undefined,
      accounts: state.accountCounts(),
      subBatches: {
        retained: state.subBatches.size,
        retainedInstructions: state.retainedInstructions,
        recent,
      },
      executions: { instructionsPaid: state.paidInstructions, paidTwiceOrMore: state.paidTwiceOrMore() },
      pushes: pusher.stats(),
      requests: { ...counters },
    };
  }

  const control = {
    summary,
    configure: (partial: Partial<PayerFspConfig>) => publicConfig(configure(partial)),
    setAccount,
    accountCounts: () => state.accountCounts(),
    setDown: (down: boolean) => void configure({ down }),
    reset,
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed = false;
  /** Rejects the pending waitFor() promises when the simulator closes. */
  const closers = new Set<() => void>();

  const sim: PayerFspSimulator = {
    url: `http://${hostInUrl}:${address.port}`,
    get config() {
      return config;
    },
    configure,
    setAccount,
    setDown: (down) => void configure({ down }),
    executions: () => state.executions(),
    subBatches: state.subBatches,
    pushes: pusher.log,
    pushStats: () => pusher.stats(),
    waitFor: (predicate, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(new Error('the payer FSP simulator is closed'));
        const check = () => {
          let hit: boolean;
          try {
            hit = predicate(sim);
          } catch (err) {
            done();
            return reject(err as Error);
          }
          if (!hit) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `Condition not met within ${timeoutMs} ms (push stats: ${JSON.stringify(pusher.stats())})`,
            ),
          );
        }, timeoutMs);
        const stopWaiting = () => {
          done();
          reject(new Error('the payer FSP simulator was closed while waiting'));
        };
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
          closers.delete(stopWaiting);
        };
        waiters.add(check);
        closers.add(stopWaiting);
        check();
      }),
    reset,
    close: () => {
      closed = true;
      for (const r of held) r.destroy();
      pusher.stop();
      for (const stop of closers) stop();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return sim;
}

function newCounters() {
  return {
    requests: 0,
    answeredDown: 0,
    badSignatures: 0,
    badRequests: 0,
    authorizations: 0,
    validations: 0,
    subBatchSubmissions: 0,
    conflicts: 0,
    refusedSubBatches: 0,
    queries: 0,
  };
}

function checkPositiveInteger(values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values))
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
