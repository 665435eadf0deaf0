import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { FieldCipher } from '../libs/platform/src/crypto/field-cipher';
import { startPayerFsp, PayerFspSimulator } from '../apps/simulators/src/payer-fsp/payer-fsp';
import {
  Answer,
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
  ROOT,
  round,
  runCli,
  secondsSince,
  Server,
  sleep,
  startServer,
  serverSettings,
  closeDatabase,
} from './support';

/*
 * npm run bench:vouchers — the voucher engine under load, against the server as its own process (ROLE=all, the
 * compiled dist/ the npm script builds first, as bench:bulk runs it) on a database of its own, with the payer-FSP
 * simulator here at zero latency paying every credit transfer at once. Phases:
 *   1. provisioning: one POST /voucher-groups/BENCH/provisions of N vouchers (10 calls of N/10 when one call is
 *      refused or takes longer than the HTTP timeout);
 *   2. pre-activation (POST /vouchers/voucher_preactivation) and activation (PATCH /vouchers/voucher_activation)
 *      through the v1 API at concurrency C, for as many vouchers as the redemption phase needs or until its time
 *      budget is spent; any further vouchers the redemption phase needs are activated directly in SQL and their
 *      numbers opened here with the bench's own field key;
 *   3. redemption: POST /vouchers/voucher_redeemption at concurrency C for S seconds, each with a voucher of its
 *      own, at eight merchants; latencies of the 200s, statuses of the rest.
 * Then the books: the simulator paid each successful redemption once and nothing else, no voucher twice, and the
 * group's liability account holds exactly the value of the vouchers not consumed. Last line: one JSON object.
 *
 * BENCH_VOUCHERS_N (100000)                 vouchers provisioned
 * BENCH_VOUCHERS_CONCURRENCY (64)           requests in flight in phases 2 and 3
 * BENCH_VOUCHERS_SECONDS (30)               length of the measured redemption phase
 * BENCH_VOUCHERS_REDEEM_POOL (60000)        activated vouchers ready for phase 3 (at most N - the warm-up)
 * BENCH_VOUCHERS_PREACTIVATE (REDEEM_POOL)  of which pre-activated and activated through the v1 API
 * BENCH_VOUCHERS_PREACTIVATE_SECONDS (60)   time budget of the API pre-activation; the rest is done in SQL
 * BENCH_VOUCHERS_WARMUP (1000)              redemptions first, unmeasured (0: none)
 * BENCH_VOUCHERS_LOG_LEVEL (warn)           the server's LOG_LEVEL
 * BENCH_VOUCHERS_SERVER (dist)              'dist' runs dist/apps/payments-bb/src/main.js; 'ts-node' the sources
 * BENCH_VOUCHERS_SERVER_ENV                 extra server environment, e.g. "DATABASE_POOL_SIZE=20"
 * BENCH_VOUCHERS_CPU_PROFILE                a directory: the server's CPU profile of the redemption phase is
 *                                           written there and its hottest functions and modules are printed
 * BENCH_DATABASE_URL                        admin URL of the local PostgreSQL
 * BENCH_REDIS_URL                           redis://127.0.0.1:6379
 */

const N = int('BENCH_VOUCHERS_N', 100_000);
const CONCURRENCY = Math.max(1, int('BENCH_VOUCHERS_CONCURRENCY', 64));
const SECONDS = int('BENCH_VOUCHERS_SECONDS', 30);
const WARMUP = int('BENCH_VOUCHERS_WARMUP', 1000);
const POOL = Math.min(int('BENCH_VOUCHERS_REDEEM_POOL', 60_000), Math.max(0, N - WARMUP));
const PREACTIVATE = Math.min(int('BENCH_VOUCHERS_PREACTIVATE', POOL), POOL);
const PREACTIVATE_BUDGET_MS = int('BENCH_VOUCHERS_PREACTIVATE_SECONDS', 60) * 1000;
const LOG_LEVEL = process.env.BENCH_VOUCHERS_LOG_LEVEL ?? 'warn';
const PROFILE_DIR = process.env.BENCH_VOUCHERS_CPU_PROFILE;
const { kind: SERVER_KIND, extraEnv: EXTRA_ENV } = serverSettings('BENCH_VOUCHERS');

const DB_NAME = 'payments_bench_vouchers';
const TENANT = 'bench-vouchers';
const CURRENCY = 'TZS';
const GROUP = 'BENCH';
const DENOMINATION = '10.00';
const DENOMINATION_MINOR = 1000n;
const SOURCE = 'BENCHSOURCE1';
const FSP = 'BENCHPAYERFSP';
const FIELD_KEY_ID = 'bench-k1';
const FIELD_KEY = Buffer.alloc(32, 11);
const FIELD_HASH_KEY = Buffer.alloc(32, 13);
const MERCHANTS = Array.from({ length: 8 }, (_, i) => ({
  code: `M${i + 1}`,
  name: `Bench Merchant ${i + 1}`,
  financialAddress: `+2557100000${String(i + 1).padStart(2, '0')}`,
}));
const AIMS = { provisionSeconds: 10, redemptionsPerSecond: 1000, p99Ms: 50 };
const PROVISION_TIMEOUT_MS = 300_000;

const decimal = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;

// ---------------------------------------------------------------------------------------------- HTTP

/** Keep-alive connections, one per request in flight: plain node:http costs the bench less CPU than fetch. */
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + 8 });

const call = caller(agent);

// ---------------------------------------------------------------------------------------------- world

interface World {
  operatorKey: string;
  sourceKey: string;
  sourceId: string;
  groupId: string;
  liabilityAccountId: string;
}

async function createWorld(server: Server, sim: PayerFspSimulator, env: Record<string, string>, db: Client) {
  const cli = await runCli(
    'apps/payments-bb/src/cli/create-client.ts',
    ['--tenant', TENANT, '--code', 'BENCHOPERATOR', '--kind', 'operator'],
    env,
  );
  if (cli.code !== 0) throw new Error(`client:create failed: ${cli.stderr.slice(-2000)}`);
  const operatorKey = (JSON.parse(cli.stdout) as { credentials: { apiKey: string } }).credentials.apiKey;
  const participant = async (code: string, kind: string, callbackBases?: string[]) => {
    const a = await call(server.base, 'POST', '/participants', operatorKey, {
      code,
      kind,
      ...(callbackBases ? { callbackBases } : {}),
    });
    expectStatus(`participant ${code}`, a, 201, 200);
    return (a.json as { credentials: { apiKey: string } }).credentials.apiKey;
  };
  const sourceKey = await participant(SOURCE, 'source_bb');
  const fspKey = await participant(FSP, 'fsp', [`${sim.url}/`]);
  const program = await call(server.base, 'POST', '/programs', operatorKey, {
    code: 'BENCH-VOUCHERS',
    name: 'Voucher benchmark programme',
    currency: CURRENCY,
    payerFspCode: FSP,
    payerIdentifier: 'TZ-MOF-0001',
    requiresApproval: false,
  });
  expectStatus('program', program, 201);
  const p = program.json as { fundingAccountId: string };
  const connector = await call(server.base, 'PUT', `/fsp-connectors/${FSP}`, operatorKey, {
    baseUrl: sim.url,
    timeoutMs: 30_000,
  });
  expectStatus('connector', connector, 200);
  // Two provisioning attempts' worth, should the single call fail half-way and be retried in chunks.
  const fund = await call(server.base, 'POST', `/ledger/accounts/${p.fundingAccountId}/fund`, operatorKey, {
    amount: decimal(DENOMINATION_MINOR * BigInt(N) * 2n),
    currency: CURRENCY,
    reference: 'BENCH-VOUCHER-BUDGET-1',
  });
  expectStatus('fund', fund, 201, 200);
  sim.configure({ pbbApiKey: fspKey, tenantId: TENANT });
  const group = await call(server.base, 'POST', '/voucher-groups', operatorKey, {
    code: GROUP,
    name: 'Voucher benchmark group',
    currency: CURRENCY,
    programCode: 'BENCH-VOUCHERS',
    denominations: [DENOMINATION],
  });
  expectStatus('voucher group', group, 201, 200);
  for (const m of MERCHANTS) {
    const a = await call(server.base, 'PUT', `/merchants/${m.code}`, operatorKey, {
      ...m,
      merchantGroups: [GROUP],
    });
    expectStatus(`merchant ${m.code}`, a, 200, 201);
  }
  const [ids] = (
    await db.query(
      `SELECT (SELECT id FROM participants WHERE tenant_id = $1 AND code = $2) AS source_id,
              g.id AS group_id, g.liability_account_id FROM voucher_groups g WHERE g.tenant_id = $1 AND g.code = $3`,
      [TENANT, SOURCE, GROUP],
    )
  ).rows as { source_id: string; group_id: string; liability_account_id: string }[];
  return {
    operatorKey,
    sourceKey,
    sourceId: ids.source_id,
    groupId: ids.group_id,
    liabilityAccountId: ids.liability_account_id,
  } satisfies World;
}

// ---------------------------------------------------------------------------------------------- phases

/** One call of N, or 10 of N/10 when the single call is refused (body limit, timeout): the seconds in total. */
async function provision(server: Server, w: World, db: Client): Promise<{ seconds: number; calls: number }> {
  const body = (count: number) => ({ count, amount: DENOMINATION });
  const path = `/voucher-groups/${GROUP}/provisions`;
  const t0 = process.hrtime.bigint();
  let single: Answer | Error;
  try {
    single = await call(server.base, 'POST', path, w.operatorKey, body(N), PROVISION_TIMEOUT_MS);
  } catch (err) {
    single = err as Error;
  }
  if (!(single instanceof Error) && (single.status === 201 || single.status === 200))
    return { seconds: secondsSince(t0), calls: 1 };
  const why = single instanceof Error ? single.message : `HTTP ${single.status} ${single.text.slice(0, 300)}`;
  print(`provisioning: one call of ${N} failed (${why}); 10 calls of ${Math.ceil(N / 10)} instead`);
  // A timed-out call may still have committed; only what is missing is provisioned.
  await sleep(1000);
  const [have] = (await db.query(`SELECT count(*)::int AS n FROM vouchers WHERE group_id = $1`, [w.groupId]))
    .rows as { n: number }[];
  const t1 = process.hrtime.bigint();
  let left = N - have.n;
  let calls = 0;
  while (left > 0) {
    const count = Math.min(Math.ceil(N / 10), left);
    const a = await call(server.base, 'POST', path, w.operatorKey, body(count), PROVISION_TIMEOUT_MS);
    expectStatus('provision', a, 201, 200);
    left -= count;
    calls++;
  }
  return { seconds: secondsSince(t1), calls };
}

interface Ready {
  number: string;
  serial: string;
}

/** Pre-activation and activation through the v1 API, at CONCURRENCY, for `want` vouchers or the time budget. */
async function preactivateViaApi(server: Server, w: World, want: number) {
  const got: Ready[] = [];
  const errors: Record<string, number> = {};
  const fail = (what: string, a: Answer) => {
    const key = `${what} ${a.status}`;
    errors[key] = (errors[key] ?? 0) + 1;
    if (errors[key] === 1) print(`  first ${what} HTTP ${a.status}: ${a.text.slice(0, 300)}`);
  };
  let issued = 0;
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + PREACTIVATE_BUDGET_MS;
  await pool(
    CONCURRENCY,
    () => (issued < want && Date.now() < deadline ? issued++ : undefined),
    async () => {
      const a = await call(server.base, 'POST', '/vouchers/voucher_preactivation', w.sourceKey, {
        voucher_amount: DENOMINATION,
        voucher_currency: CURRENCY,
        voucher_group: GROUP,
        Gov_Stack_BB: SOURCE,
      });
      if (a.status !== 200) return fail('pre-activation', a);
      const j = a.json as { voucher_number: string; voucher_serial_number: string };
      got.push({ number: j.voucher_number, serial: j.voucher_serial_number });
    },
  );
  const preSeconds = secondsSince(t0);
  const t1 = process.hrtime.bigint();
  const active: Ready[] = [];
  let k = 0;
  await pool(
    CONCURRENCY,
    () => (k < got.length ? k++ : undefined),
    async (i) => {
      const a = await call(server.base, 'PATCH', '/vouchers/voucher_activation', w.sourceKey, {
        voucher_serial_number: got[i].serial,
        Gov_Stack_BB: SOURCE,
      });
      if (a.status !== 200) return fail('activation', a);
      active.push(got[i]);
    },
  );
  const actSeconds = secondsSince(t1);
  return {
    active,
    preactivated: got.length,
    preSeconds,
    actSeconds,
    preactivationsPerSecond: got.length / preSeconds,
    activationsPerSecond: got.length ? active.length / actSeconds : 0,
    errors,
  };
}

/** The rest straight in SQL: activated for the source, numbers opened here with the bench's own field key. */
async function activateInSql(db: Client, w: World, count: number): Promise<Ready[]> {
  if (count <= 0) return [];
  const cipher = new FieldCipher(FIELD_KEY_ID, FIELD_KEY, new Map(), FIELD_HASH_KEY);
  const rows = (
    await db.query(
      `UPDATE vouchers SET state = 'activated', holder_id = $1, preactivated_at = now(), activated_at = now(),
         updated_at = now()
       WHERE id IN (SELECT id FROM vouchers WHERE group_id = $2 AND state = 'provisioned' ORDER BY serial LIMIT $3)
       RETURNING serial::text, number_enc, number_key_id`,
      [w.sourceId, w.groupId, count],
    )
  ).rows as { serial: string; number_enc: Buffer; number_key_id: string }[];
  return rows.map((r) => ({ serial: r.serial, number: cipher.open(r.number_enc, r.number_key_id) }));
}

interface RedeemRun {
  ok: number;
  latencies: Float64Array;
  errors: Record<string, number>;
  seconds: number;
  ranOut: boolean;
  cpu: ReturnType<typeof cpuSpent>;
}

/** Redemptions of distinct vouchers at CONCURRENCY, for `seconds` or `limit` requests, whichever ends first. */
async function redeem(
  server: Server,
  w: World,
  vouchers: Ready[],
  from: { next: number },
  seconds: number,
  limit: number,
): Promise<RedeemRun> {
  const latencies = new Float64Array(Math.max(1, Math.min(limit, vouchers.length - from.next)));
  let ok = 0;
  let started = 0;
  const errors: Record<string, number> = {};
  const cpu0 = cpuMark(server.pid, DB_NAME);
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  let ranOut = false;
  await pool(
    CONCURRENCY,
    () => {
      if (started >= limit || Date.now() >= deadline) return undefined;
      if (from.next >= vouchers.length) {
        ranOut = true;
        return undefined;
      }
      started++;
      return from.next++;
    },
    async (i) => {
      const v = vouchers[i];
      const m = MERCHANTS[i % MERCHANTS.length];
      const s = process.hrtime.bigint();
      let a: Answer;
      try {
        a = await call(server.base, 'POST', '/vouchers/voucher_redeemption', w.sourceKey, {
          voucher_number: v.number,
          Gov_Stack_BB: SOURCE,
          merchant_name: m.name,
          merchant_bank_details: m.financialAddress,
          merchant_voucher_group: GROUP,
          override: false,
        });
      } catch (err) {
        errors['no answer'] = (errors['no answer'] ?? 0) + 1;
        if (errors['no answer'] === 1)
          print(`  first redemption without an answer: ${(err as Error).message}`);
        return;
      }
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      if (a.status === 200) {
        latencies[ok++] = ms;
        return;
      }
      const key = String(a.status);
      errors[key] = (errors[key] ?? 0) + 1;
      if (errors[key] === 1) print(`  first redemption HTTP ${a.status}: ${a.text.slice(0, 300)}`);
    },
  );
  const elapsed = secondsSince(t0);
  return {
    ok,
    latencies: latencies.subarray(0, ok).sort(),
    errors,
    seconds: elapsed,
    ranOut,
    cpu: cpuSpent(cpu0, cpuMark(server.pid, DB_NAME)),
  };
}

// ---------------------------------------------------------------------------------------------- profile

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The hottest functions (self time) and modules of a V8 CPU profile. */
function summariseProfile(file: string): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: CpuProfileNode[]; samples: number[] };
  const total = profile.samples.length || 1;
  const byFn = new Map<string, number>();
  const byModule = new Map<string, number>();
  const moduleOf = (url: string, fn: string) => {
    if (!url) return fn.startsWith('(') ? fn : '(native)';
    const path = url.replace(/^file:\/\//, '');
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    if (nm) return nm[1];
    if (path.startsWith('node:')) return 'node internals';
    return relative(ROOT, path);
  };
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const mod = moduleOf(url, functionName);
    const key = `${functionName || '(anonymous)'} ${url ? `${mod}:${lineNumber + 1}` : ''}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + hits);
    byModule.set(mod, (byModule.get(mod) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, hits]) => `    ${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `  server CPU profile, by module:`,
    ...top(byModule, 12),
    '  hottest functions (self):',
    ...top(byFn, 20),
  ];
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  if (PROFILE_DIR && !existsSync(PROFILE_DIR)) mkdirSync(PROFILE_DIR, { recursive: true });
  const databaseUrl = await freshDatabase(DB_NAME);
  const sim = await startPayerFsp({ port: 0, latencyMs: 0 });
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
    JWT_SECRET: 'bench-vouchers-jwt-secret-that-is-long-enough-0123456789',
    FIELD_ENCRYPTION_KEY: FIELD_KEY.toString('base64'),
    FIELD_ENCRYPTION_KEY_ID: FIELD_KEY_ID,
    FIELD_HASH_KEY: FIELD_HASH_KEY.toString('base64'),
    BOOTSTRAP_DEMO: 'false',
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL,
    CALLBACK_ALLOW_PRIVATE_TARGETS: 'true',
    ...EXTRA_ENV,
  };
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  let server: Server | undefined;
  try {
    server = await startServer(env, { kind: SERVER_KIND, probe: Boolean(PROFILE_DIR) });
    const w = await createWorld(server, sim, env, db);
    print(
      `vouchers bench: ${N} vouchers of ${DENOMINATION} ${CURRENCY}, concurrency ${CONCURRENCY}, redemptions for ${SECONDS} s ` +
        `at ${MERCHANTS.length} merchants; simulator latency 0; server pid ${server.pid} (${SERVER_KIND}` +
        `${Object.keys(EXTRA_ENV).length ? `, env ${JSON.stringify(EXTRA_ENV)}` : ''}); ${cpus().length} cores`,
    );

    // 1. provisioning
    const cpuP = cpuMark(server.pid, DB_NAME);
    const prov = await provision(server, w, db);
    const provCpu = cpuSpent(cpuP, cpuMark(server.pid, DB_NAME));
    print(
      `provisioning: ${N} vouchers in ${prov.seconds.toFixed(2)} s (${prov.calls} call${prov.calls > 1 ? 's' : ''}) = ` +
        `${Math.round(N / prov.seconds)} vouchers/s; CPU s ${JSON.stringify(provCpu)}`,
    );

    // 2. pre-activation and activation
    const cpuA = cpuMark(server.pid, DB_NAME);
    const api = await preactivateViaApi(server, w, PREACTIVATE);
    const apiCpu = cpuSpent(cpuA, cpuMark(server.pid, DB_NAME));
    print(
      `pre-activation (v1 API, concurrency ${CONCURRENCY}): ${api.preactivated} in ${api.preSeconds.toFixed(2)} s = ` +
        `${Math.round(api.preactivationsPerSecond)}/s; activation: ${api.active.length} in ${api.actSeconds.toFixed(2)} s = ` +
        `${Math.round(api.activationsPerSecond)}/s${Object.keys(api.errors).length ? `; errors ${JSON.stringify(api.errors)}` : ''}; ` +
        `CPU s ${JSON.stringify(apiCpu)}`,
    );
    const viaSql = await activateInSql(db, w, WARMUP + POOL - api.active.length);
    if (viaSql.length)
      print(`activation in SQL (numbers opened by the bench): ${viaSql.length} more vouchers`);
    const ready = [...api.active, ...viaSql];

    // 3. redemption
    const cursor = { next: 0 };
    let warmOk = 0;
    if (WARMUP > 0) {
      const warm = await redeem(server, w, ready, cursor, 120, WARMUP);
      warmOk = warm.ok;
      print(
        `warm-up: ${warm.ok} redemptions in ${warm.seconds.toFixed(2)} s (not counted)` +
          `${Object.keys(warm.errors).length ? `; errors ${JSON.stringify(warm.errors)}` : ''}`,
      );
    }
    if (PROFILE_DIR) {
      const r = await server.probe!('profile-start');
      if (!r.started) throw new Error(`profiler: ${r.error}`);
    }
    const run = await redeem(server, w, ready, cursor, SECONDS, Number.MAX_SAFE_INTEGER);
    const rate = run.ok / run.seconds;
    const p50 = percentile(run.latencies, 50);
    const p99 = percentile(run.latencies, 99);
    print(
      `redemption: ${run.ok} redeemed in ${run.seconds.toFixed(2)} s = ${Math.round(rate)}/s; latency of the 200s ` +
        `p50 ${p50.toFixed(1)} ms, p90 ${percentile(run.latencies, 90).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ` +
        `max ${(run.latencies[run.latencies.length - 1] ?? NaN).toFixed(1)} ms; errors ${JSON.stringify(run.errors)}` +
        `${run.ranOut ? ' — ran out of activated vouchers before the time was up' : ''}`,
    );
    print(
      `  CPU seconds: server ${run.cpu.server}, PostgreSQL backends ${run.cpu.postgres}, bench + simulator ` +
        `${run.cpu.benchAndSimulator}, other ${run.cpu.other} (${run.seconds.toFixed(1)} s wall, ${cpus().length} cores)`,
    );
    if (PROFILE_DIR) {
      const file = join(PROFILE_DIR, `vouchers-redemption-${Date.now()}.cpuprofile`);
      const r = await server.probe!('profile-stop', { file });
      if (!r.file) throw new Error(`profiler: ${r.error}`);
      print(`  CPU profile: ${file}`);
      for (const line of summariseProfile(file)) print(line);
    }

    // 4. the books
    for (let i = 0; i < 100; i++) {
      const [open] = (
        await db.query(
          `SELECT count(*)::int AS n FROM voucher_redemptions WHERE state IN ('sending','unknown')`,
        )
      ).rows as { n: number }[];
      if (!open.n) break;
      await sleep(100);
    }
    const [r] = (
      await db.query(
        `SELECT count(*) FILTER (WHERE state = 'completed')::int AS completed,
                count(*) FILTER (WHERE state IN ('sending','unknown'))::int AS open,
                count(*) FILTER (WHERE state = 'failed')::int AS failed,
                (SELECT count(*)::int FROM (SELECT voucher_id FROM voucher_redemptions WHERE state = 'completed'
                   GROUP BY voucher_id HAVING count(*) > 1) t) AS vouchers_twice
         FROM voucher_redemptions`,
      )
    ).rows as { completed: number; open: number; failed: number; vouchers_twice: number }[];
    const completedIds = new Set(
      (
        (await db.query(`SELECT id FROM voucher_redemptions WHERE state = 'completed'`)).rows as {
          id: string;
        }[]
      ).map((x) => x.id),
    );
    const [v] = (
      await db.query(
        `SELECT count(*) FILTER (WHERE state = 'consumed')::int AS consumed,
                coalesce(sum(amount) FILTER (WHERE state NOT IN ('consumed','cancelled','expired','purged')), 0)::text
                  AS outstanding
         FROM vouchers WHERE group_id = $1`,
        [w.groupId],
      )
    ).rows as { consumed: number; outstanding: string }[];
    const [acct] = (
      await db.query(
        `SELECT (credits_posted - debits_posted)::text AS balance, debits_pending::text, credits_pending::text
         FROM ledger_accounts WHERE id = $1`,
        [w.liabilityAccountId],
      )
    ).rows as { balance: string; debits_pending: string; credits_pending: string }[];
    const paid = sim.executions();
    let paidTwice = 0;
    let paidUnknown = 0;
    for (const [id, count] of paid) {
      if (count > 1) paidTwice++;
      if (!completedIds.has(id)) paidUnknown++;
    }
    paidTwice += r.vouchers_twice;
    const problems: string[] = [];
    if (r.completed !== warmOk + run.ok)
      problems.push(`${r.completed} redemptions completed, ${warmOk + run.ok} answered 200`);
    if (paid.size !== r.completed)
      problems.push(
        `the simulator paid ${paid.size} transfers, the server completed ${r.completed} redemptions`,
      );
    if (paidUnknown)
      problems.push(`${paidUnknown} payments the simulator made match no completed redemption`);
    if (paidTwice) problems.push(`${paidTwice} paid more than once`);
    if (v.consumed !== r.completed)
      problems.push(`${v.consumed} vouchers consumed, ${r.completed} redemptions completed`);
    if (r.open) problems.push(`${r.open} redemptions still open`);
    const ledgerConsistent =
      acct.balance === v.outstanding && acct.debits_pending === '0' && acct.credits_pending === '0';
    if (!ledgerConsistent)
      problems.push(
        `liability account balance ${acct.balance} (pending ${acct.debits_pending}/${acct.credits_pending}), ` +
          `vouchers outstanding ${v.outstanding}`,
      );
    print(
      `books: ${r.completed} redemptions completed (${warmOk} in the warm-up), ${r.failed} failed, ${r.open} open; ` +
        `simulator paid ${paid.size}, twice ${paidTwice}; vouchers consumed ${v.consumed}; liability account ` +
        `${decimal(BigInt(acct.balance))} ${CURRENCY} = outstanding ${decimal(BigInt(v.outstanding))}: ${ledgerConsistent}`,
    );
    print(`server: ${server.warnings()} warning/error log lines`);
    if (problems.length) print(`PROBLEMS:\n  ${problems.join('\n  ')}`);
    const result = {
      bench: 'vouchers',
      vouchers: N,
      provisionSeconds: round(prov.seconds, 3),
      provisionCalls: prov.calls,
      preactivationsPerSecond: Math.round(api.preactivationsPerSecond),
      activationsPerSecond: Math.round(api.activationsPerSecond),
      redemptionsPerSecond: Math.round(rate),
      p50Ms: round(p50, 1),
      p99Ms: round(p99, 1),
      redeemed: run.ok,
      errors: run.errors,
      paidTwice,
      ledgerConsistent,
      cpuSeconds: run.cpu,
      aims: AIMS,
      aimsMet: {
        provisionSeconds: prov.seconds <= AIMS.provisionSeconds,
        redemptionsPerSecond: rate >= AIMS.redemptionsPerSecond,
        p99Ms: p99 < AIMS.p99Ms,
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
