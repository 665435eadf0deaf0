import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { startBillerSimulator } from '../apps/simulators/src/biller/biller';
import {
  Answer,
  Call,
  caller,
  cpuMark,
  cpuSpent,
  expectStatus,
  freePort,
  freshDatabase,
  int,
  percentile,
  pool,
  print,
  round,
  runCli,
  secondsSince,
  Server,
  startServer,
  serverSettings,
  closeDatabase,
} from './support';

/*
 * npm run bench:p2g — P2G bill inquiry under load, against the server as its own process (ROLE=all, the compiled
 * dist/ the npm script builds first, as bench:vouchers runs it) on a database of its own, with the biller
 * simulator here at zero latency making up an UNPAID bill for every bill ID under its prefix. Onboarding: an
 * operator (client:create), one biller (POST /p2g/billers, maker-checker off: active at once, and on the fresh
 * database the tenant's first prefix, 1000, which the simulator was started with) and one payer FI
 * (POST /p2g/payer-fis). Phases, each at concurrency C over B distinct bill IDs asked in turn:
 *   1. warm-up: W inquiries through the server, unmeasured (then ANALYZE, as autovacuum would);
 *   2. through the server: GET /bills/{billId}?fields=inquiry as the payer FI for S seconds; latencies of the
 *      202s with code 00, statuses of the rest;
 *   3. direct: GET /bills/{billId} straight at the simulator for S seconds, the baseline.
 * "Added" is the server's p50 (p99) less the direct p50 (p99). Then the books: one bill_inquiries row of the
 * tenant per 202, the warm-up's included; any difference fails the run. Last line: one JSON object.
 *
 * BENCH_P2G_CONCURRENCY (64)       requests in flight
 * BENCH_P2G_SECONDS (20)           length of each measured phase (through the server, and direct)
 * BENCH_P2G_WARMUP (2000)          inquiries through the server first, unmeasured (0: none)
 * BENCH_P2G_BILLS (4096)           distinct bill IDs, asked in turn (the simulator keeps each one it made up)
 * BENCH_P2G_LOG_LEVEL (warn)       the server's LOG_LEVEL
 * BENCH_P2G_SERVER (dist)          'dist' runs dist/apps/payments-bb/src/main.js; 'ts-node' the sources
 * BENCH_P2G_SERVER_ENV             extra server environment, e.g. "DATABASE_POOL_SIZE=20"
 * BENCH_DATABASE_URL               admin URL of the local PostgreSQL
 * BENCH_REDIS_URL                  redis://127.0.0.1:6379
 */

const CONCURRENCY = Math.max(1, int('BENCH_P2G_CONCURRENCY', 64));
const SECONDS = int('BENCH_P2G_SECONDS', 20);
const WARMUP = int('BENCH_P2G_WARMUP', 2000);
const BILLS = Math.max(1, int('BENCH_P2G_BILLS', 4096));
const LOG_LEVEL = process.env.BENCH_P2G_LOG_LEVEL ?? 'warn';
const { kind: SERVER_KIND, extraEnv: EXTRA_ENV } = serverSettings('BENCH_P2G');

const DB_NAME = 'payments_bench_p2g';
const TENANT = 'bench-p2g';
/** The first bill-ID prefix the server allocates in a tenant. */
const PREFIX = '1000';
const PAYER_FI = 'BENCHFI';
const AIMS = { inquiriesPerSecond: 1000, addedP99Ms: 5 };

/** Bill IDs: the prefix, then B and eight digits. */
const billId = (i: number) => `${PREFIX}B${String(i % BILLS).padStart(8, '0')}`;

/** Keep-alive connections, one per request in flight (the server's and the simulator's origins each). */
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const asOperator = caller(agent, { 'Platform-TenantId': TENANT });
const asPayerFi = caller(agent, { 'Platform-TenantId': TENANT, 'X-PayerFI-Id': PAYER_FI });
const direct = caller(agent);

interface Run {
  ok: number;
  latencies: Float64Array;
  errors: Record<string, number>;
  seconds: number;
  perSecond: number;
  cpu: ReturnType<typeof cpuSpent>;
}

/**
 * GETs of `base` + path(i) at CONCURRENCY for `seconds` or `limit` requests, whichever ends first: latencies of
 * the answers with `okStatus` and code 00, counts of the rest by status.
 */
async function load(
  what: string,
  server: Server,
  send: Call,
  base: string,
  apiKey: string,
  path: (i: number) => string,
  okStatus: number,
  seconds: number,
  limit: number,
  from: { next: number },
): Promise<Run> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const failed = (key: string, detail: string) => {
    errors[key] = (errors[key] ?? 0) + 1;
    if (errors[key] === 1) print(`  first ${what} ${key}: ${detail.slice(0, 300)}`);
  };
  let started = 0;
  const cpu0 = cpuMark(server.pid, DB_NAME);
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await pool(
    CONCURRENCY,
    () => {
      if (started >= limit || Date.now() >= deadline) return undefined;
      started++;
      return from.next++;
    },
    async (i) => {
      const s = process.hrtime.bigint();
      let a: Answer;
      try {
        a = await send(base, 'GET', path(i), apiKey, undefined, 30_000);
      } catch (err) {
        return failed('no answer', (err as Error).message);
      }
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      if (a.status !== okStatus) return failed(String(a.status), a.text);
      const code = (a.json as { code?: unknown } | undefined)?.code;
      if (code !== '00') return failed(`${a.status} code ${String(code)}`, a.text);
      latencies.push(ms);
    },
  );
  const elapsed = secondsSince(t0);
  return {
    ok: latencies.length,
    latencies: Float64Array.from(latencies).sort(),
    errors,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    cpu: cpuSpent(cpu0, cpuMark(server.pid, DB_NAME)),
  };
}

const figures = (r: Run) => ({
  p50: percentile(r.latencies, 50),
  p90: percentile(r.latencies, 90),
  p99: percentile(r.latencies, 99),
  max: r.latencies[r.latencies.length - 1] ?? NaN,
});

function report(label: string, r: Run): ReturnType<typeof figures> {
  const f = figures(r);
  print(
    `${label}: ${r.ok} in ${r.seconds.toFixed(2)} s = ${Math.round(r.perSecond)}/s; latency p50 ${f.p50.toFixed(2)} ms, ` +
      `p90 ${f.p90.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, max ${f.max.toFixed(2)} ms; errors ${JSON.stringify(r.errors)}`,
  );
  print(
    `  CPU seconds: server ${r.cpu.server}, PostgreSQL backends ${r.cpu.postgres}, bench + simulator ` +
      `${r.cpu.benchAndSimulator}, other ${r.cpu.other} (${r.seconds.toFixed(1)} s wall, ${cpus().length} cores)`,
  );
  return f;
}

/** The operator (client:create), the biller at the simulator and the payer FI; the payer FI's API key. */
async function onboard(server: Server, simUrl: string, env: Record<string, string>): Promise<string> {
  const cli = await runCli(
    'apps/payments-bb/src/cli/create-client.ts',
    ['--tenant', TENANT, '--code', 'BENCHOPERATOR', '--kind', 'operator'],
    env,
  );
  if (cli.code !== 0) throw new Error(`client:create failed: ${cli.stderr.slice(-2000)}`);
  const operatorKey = (JSON.parse(cli.stdout) as { credentials: { apiKey: string } }).credentials.apiKey;
  const biller = await asOperator(server.base, 'POST', '/p2g/billers', operatorKey, {
    name: 'Bench Water',
    shortName: 'BenchWater',
    kind: 'biller',
    baseUrl: simUrl,
    timeoutMs: 2000,
    currencies: ['KES'],
    settlementAccount: { bankCode: 'CBKEKENX', accountNumber: '0011223344' },
    rules: { amountExactness: 'EXACT' },
  });
  expectStatus('biller', biller, 201);
  const b = (biller.json as { biller: { billerId: string; prefix: string; status: string } }).biller;
  if (b.prefix !== PREFIX || b.status !== 'active')
    throw new Error(
      `the biller was given prefix ${b.prefix} (status ${b.status}); the simulator makes up bills under ${PREFIX} ` +
        `only, for an active biller: ${biller.text.slice(0, 500)}`,
    );
  const fi = await asOperator(server.base, 'POST', '/p2g/payer-fis', operatorKey, {
    code: PAYER_FI,
    bic: PAYER_FI,
    baseUrl: 'http://127.0.0.1:9',
  });
  expectStatus('payer FI', fi, 201);
  print(`onboarded: biller ${b.billerId} (prefix ${b.prefix}, ${b.status}), payer FI ${PAYER_FI}`);
  return (fi.json as { credentials: { apiKey: string } }).credentials.apiKey;
}

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase(DB_NAME);
  const sim = await startBillerSimulator({ port: 0, autoBillPrefix: PREFIX, latencyMs: 0 });
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    ROLE: 'all',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    AUTH_MODE: 'on',
    JWT_SECRET: 'bench-p2g-jwt-secret-that-is-long-enough-0123456789',
    FIELD_ENCRYPTION_KEY: Buffer.alloc(32, 17).toString('base64'),
    FIELD_HASH_KEY: Buffer.alloc(32, 19).toString('base64'),
    BOOTSTRAP_DEMO: 'false',
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL,
    CALLBACK_ALLOW_PRIVATE_TARGETS: 'true',
    P2G_ONBOARDING_MAKER_CHECKER: 'false',
    ...EXTRA_ENV,
  };
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  let server: Server | undefined;
  try {
    server = await startServer(env, { kind: SERVER_KIND });
    const fiKey = await onboard(server, sim.url, env);
    print(
      `p2g bench: bill inquiries at concurrency ${CONCURRENCY} for ${SECONDS} s over ${BILLS} bill IDs, through the ` +
        `server and straight at the biller simulator (latency 0); server pid ${server.pid} (${SERVER_KIND}` +
        `${Object.keys(EXTRA_ENV).length ? `, env ${JSON.stringify(EXTRA_ENV)}` : ''}); ${cpus().length} cores`,
    );
    const viaServer = (i: number) => `/bills/${billId(i)}?fields=inquiry`;
    const cursor = { next: 0 };

    // 1. warm-up
    let warmOk = 0;
    if (WARMUP > 0) {
      const warm = await load(
        'warm-up',
        server,
        asPayerFi,
        server.base,
        fiKey,
        viaServer,
        202,
        120,
        WARMUP,
        cursor,
      );
      warmOk = warm.ok;
      print(
        `warm-up: ${warm.ok} inquiries in ${warm.seconds.toFixed(2)} s (not counted)` +
          `${Object.keys(warm.errors).length ? `; errors ${JSON.stringify(warm.errors)}` : ''}`,
      );
      await db.query('ANALYZE');
    }

    // 2. through the server
    const run = await load(
      'inquiry',
      server,
      asPayerFi,
      server.base,
      fiKey,
      viaServer,
      202,
      SECONDS,
      Number.MAX_SAFE_INTEGER,
      cursor,
    );
    const s = report('through the server', run);

    // 3. straight at the simulator
    const base = await load(
      'direct inquiry',
      server,
      direct,
      sim.url,
      '',
      (i) => `/bills/${billId(i)}`,
      200,
      SECONDS,
      Number.MAX_SAFE_INTEGER,
      { next: 0 },
    );
    const d = report('direct to the simulator', base);
    const addedP50 = s.p50 - d.p50;
    const addedP99 = s.p99 - d.p99;
    print(`added by the server: p50 ${addedP50.toFixed(2)} ms, p99 ${addedP99.toFixed(2)} ms`);

    // 4. the books
    const [rows] = (
      await db.query(`SELECT count(*)::int AS n FROM bill_inquiries WHERE tenant_id = $1`, [TENANT])
    ).rows as { n: number }[];
    const answered = warmOk + run.ok;
    const recorded = rows.n === answered;
    print(
      `books: ${rows.n} bill_inquiries rows, ${answered} inquiries answered 202 (${warmOk} in the warm-up): ` +
        `${recorded ? 'every inquiry recorded' : 'MISMATCH'}`,
    );
    print(
      `simulator: ${sim.state().inquiries} inquiries answered; server: ${server.warnings()} warning/error log lines`,
    );
    const problems: string[] = [];
    if (!recorded) problems.push(`${rows.n} bill_inquiries rows for ${answered} inquiries answered 202`);
    if (run.ok === 0) problems.push('no inquiry through the server succeeded');
    if (base.ok === 0) problems.push('no direct inquiry succeeded');
    if (server.exited()) problems.push(`the server ${server.exited()}:\n${server.tail()}`);
    if (problems.length) print(`PROBLEMS:\n  ${problems.join('\n  ')}`);
    const result = {
      bench: 'p2g',
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      inquiries: run.ok,
      inquiriesPerSecond: Math.round(run.perSecond),
      p50Ms: round(s.p50),
      p90Ms: round(s.p90),
      p99Ms: round(s.p99),
      maxMs: round(s.max),
      directPerSecond: Math.round(base.perSecond),
      directP50Ms: round(d.p50),
      directP99Ms: round(d.p99),
      addedP50Ms: round(addedP50),
      addedP99Ms: round(addedP99),
      errors: run.errors,
      directErrors: base.errors,
      recorded: { rows: rows.n, answered },
      cpuSeconds: run.cpu,
      aims: AIMS,
      metAims: {
        inquiriesPerSecond: run.perSecond >= AIMS.inquiriesPerSecond,
        addedP99Ms: addedP99 < AIMS.addedP99Ms,
      },
    };
    print(JSON.stringify(result));
    if (problems.length) process.exitCode = 1;
  } finally {
    await server?.stop();
    await sim.close();
    agent.destroy();
    await closeDatabase(db, DB_NAME);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
