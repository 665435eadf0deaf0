import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { cpus } from 'node:os';
import { Client } from 'pg';
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
  round,
  runCli,
  secondsSince,
  Server,
  startServer,
  serverSettings,
  closeDatabase,
} from './support';

/*
 * npm run bench:collections — DIGIT collection-services payments/_create under load, against the server as its own
 * process (ROLE=all, the compiled dist/ the npm script builds first, as bench:p2g runs it) on a database of its own,
 * through DIGIT's contract only (apps/payments-bb/src/digit, as test/digit-integrator.e2e-spec.ts calls it).
 * Onboarding: an operator (client:create) creates one DIGIT EMPLOYEE (POST /digit/users; roles SUPERUSER, EMPLOYEE
 * and COLL_OPERATOR on state tenant pb), whose token (POST /user/oauth/token, password grant) for pb.amritsar makes
 * every further call; business service WS (no part payment, no advance) with tax heads WS_CHARGE (order 2) and
 * WS_TIME_PENALTY (order 1). Phases:
 *   1. preparation: N demands (one consumer code each, both heads) by /billing-service/demand/_create, 500 a call,
 *      then N bills by /billing-service/bill/v2/_fetchbill, one consumer a call at concurrency C; stops early when
 *      its time budget is spent (fewer bills then, said so); ANALYZE of the digit_* tables after the demands
 *      and again after the bills;
 *   2. warm-up: W payments, unmeasured (then ANALYZE, as autovacuum would);
 *   3. measured: /collection-services/payments/_create at concurrency C for S seconds (or until the bills run out),
 *      each paying one bill of its own in full in CASH; latencies of the 200s with one receipt, the rest counted by
 *      status and Errors[0].code.
 * Then the books, warm-up included: one digit_payments row per success, receipts distinct and gapless (their
 * sequence parts are 1..n), every paid bill PAID, and the ledger account digit:service:WS:INR credited with exactly
 * the sum paid; any difference fails the run. Last line: one JSON object.
 *
 * BENCH_COLLECTIONS_CONCURRENCY (32)        requests in flight (bills are fetched at it too)
 * BENCH_COLLECTIONS_SECONDS (20)            length of the measured phase
 * BENCH_COLLECTIONS_WARMUP (500)            payments first, unmeasured (0: none)
 * BENCH_COLLECTIONS_N (20000)               bills prepared; by default at least W + S x 500/s x 1.5, at most 100000
 * BENCH_COLLECTIONS_PREPARE_SECONDS (600)   time budget of the preparation; fewer bills when it is spent
 * BENCH_COLLECTIONS_LOG_LEVEL (warn)        the server's LOG_LEVEL
 * BENCH_COLLECTIONS_SERVER (dist)           'dist' runs dist/apps/payments-bb/src/main.js; 'ts-node' the sources
 * BENCH_COLLECTIONS_SERVER_ENV              extra server environment, e.g. "DATABASE_POOL_SIZE=20"
 * BENCH_DATABASE_URL                        admin URL of the local PostgreSQL
 * BENCH_REDIS_URL                           redis://127.0.0.1:6379
 */

const AIMS = { paymentsPerSecond: 500, p99Ms: 100 };
const CONCURRENCY = Math.max(1, int('BENCH_COLLECTIONS_CONCURRENCY', 32));
const SECONDS = int('BENCH_COLLECTIONS_SECONDS', 20);
const WARMUP = int('BENCH_COLLECTIONS_WARMUP', 500);
const MAX_BILLS = 100_000;
const N = Math.max(
  1,
  int(
    'BENCH_COLLECTIONS_N',
    Math.min(MAX_BILLS, Math.max(20_000, WARMUP + Math.ceil(SECONDS * AIMS.paymentsPerSecond * 1.5))),
  ),
);
const PREPARE_SECONDS = int('BENCH_COLLECTIONS_PREPARE_SECONDS', 600);
const LOG_LEVEL = process.env.BENCH_COLLECTIONS_LOG_LEVEL ?? 'warn';
const { kind: SERVER_KIND, extraEnv: EXTRA_ENV } = serverSettings('BENCH_COLLECTIONS');

const DB_NAME = 'payments_bench_collections';
const PLATFORM_TENANT = 'bench-collections';
const STATE = 'pb';
const CITY = 'pb.amritsar';
const SERVICE = 'WS';
const USER = 'benchcollector';
const PASSWORD = 'bench collector password';
/** Demands per demand/_create call (the most it takes). */
const DEMAND_BATCH = 500;
/** demand/_create calls in flight (each is one transaction of 500 demands). */
const DEMAND_CONCURRENCY = 2;
const BASIC = `Basic ${Buffer.from('egov-user-client:').toString('base64')}`;
const TAX_PERIOD_FROM = Date.parse('2026-04-01T00:00:00Z');
const TAX_PERIOD_TO = Date.parse('2027-03-31T23:59:59Z');

const consumerCode = (i: number) => `WSB${String(i).padStart(7, '0')}`;
/** What consumer i owes, in paise: a water charge of 100.00-999.99 and a penalty of 5.00-29.50. */
const charge = (i: number) => 10_000 + ((i * 7919) % 90_000);
const penalty = (i: number) => 500 + (i % 50) * 50;

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const asOperator = caller(agent, { 'Platform-TenantId': PLATFORM_TENANT });
const digit = caller(agent);

/** DIGIT's RequestInfo, with the token. */
const ri = (authToken: string) => ({
  RequestInfo: {
    apiId: 'Rainmaker',
    ver: '.01',
    ts: Date.now(),
    action: '_create',
    msgId: `${Date.now()}|en_IN`,
    authToken,
  },
});

/** Status and DIGIT's Errors[0].code of an answer. */
function errorKey(a: Answer): string {
  const code = (a.json as { Errors?: { code?: unknown }[] } | undefined)?.Errors?.[0]?.code;
  return code === undefined ? String(a.status) : `${a.status} ${String(code)}`;
}

class Tally {
  readonly counts: Record<string, number> = {};
  constructor(private readonly what: string) {}
  add(key: string, detail: string) {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    if (this.counts[key] === 1) print(`  first ${this.what} ${key}: ${detail.slice(0, 600)}`);
  }
  get total() {
    return Object.values(this.counts).reduce((s, n) => s + n, 0);
  }
}

interface Bill {
  id: string;
  /** What is due, in rupees as the bill shows it, and in paise. */
  rupees: number;
  paise: number;
}

interface Prepared {
  bills: Bill[];
  demandSeconds: number;
  billSeconds: number;
  seconds: number;
  errors: Record<string, number>;
  budgetSpent: boolean;
}

/** The operator, the DIGIT user and its token for the city, the business service and its tax heads. */
async function onboard(server: Server, env: Record<string, string>): Promise<string> {
  const cli = await runCli(
    'apps/payments-bb/src/cli/create-client.ts',
    ['--tenant', PLATFORM_TENANT, '--code', 'BENCHOPERATOR', '--kind', 'operator'],
    env,
  );
  if (cli.code !== 0) throw new Error(`client:create failed: ${cli.stderr.slice(-2000)}`);
  const operatorKey = (JSON.parse(cli.stdout) as { credentials: { apiKey: string } }).credentials.apiKey;
  const user = await asOperator(server.base, 'POST', '/digit/users', operatorKey, {
    tenantId: STATE,
    userName: USER,
    password: PASSWORD,
    name: 'Bench Collector',
    type: 'EMPLOYEE',
    roles: ['SUPERUSER', 'EMPLOYEE', 'COLL_OPERATOR'].map((code) => ({ code, tenantId: STATE })),
  });
  expectStatus('DIGIT user', user, 201);
  const res = await fetch(`${server.base}/user/oauth/token`, {
    method: 'POST',
    headers: { Authorization: BASIC, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      scope: 'read',
      username: USER,
      password: PASSWORD,
      tenantId: CITY,
      userType: 'EMPLOYEE',
    }).toString(),
  });
  const tokenText = await res.text();
  if (res.status !== 200) throw new Error(`token: HTTP ${res.status} ${tokenText.slice(0, 500)}`);
  const token = (JSON.parse(tokenText) as { access_token: string }).access_token;
  const bs = await digit(server.base, 'POST', '/billing-service/businessservices/_create', '', {
    ...ri(token),
    BusinessServiceDetails: [
      {
        tenantId: STATE,
        businessService: 'WaterCharges',
        code: SERVICE,
        partPaymentAllowed: false,
        isAdvanceAllowed: false,
        collectionModesNotAllowed: [],
      },
    ],
  });
  expectStatus('business service', bs, 201);
  const th = await digit(server.base, 'POST', '/billing-service/taxheads/_create', '', {
    ...ri(token),
    TaxHeadMasters: [
      {
        tenantId: STATE,
        service: SERVICE,
        code: 'WS_CHARGE',
        name: 'Water charge',
        category: 'CHARGES',
        order: 2,
      },
      {
        tenantId: STATE,
        service: SERVICE,
        code: 'WS_TIME_PENALTY',
        name: 'Late payment',
        category: 'PENALTY',
        order: 1,
      },
    ],
  });
  expectStatus('tax heads', th, 201);
  print(
    `onboarded: DIGIT user ${USER} (SUPERUSER, EMPLOYEE, COLL_OPERATOR on ${STATE}), token for ${CITY}, ${SERVICE}`,
  );
  return token;
}

/** N demands, 500 a call, then a bill for each consumer by _fetchbill at CONCURRENCY, within the time budget. */
async function prepare(server: Server, token: string, db: Client): Promise<Prepared> {
  const errors = new Tally('preparation');
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + PREPARE_SECONDS * 1000;
  let budgetSpent = false;
  const overBudget = () => {
    if (Date.now() >= deadline) budgetSpent = true;
    return budgetSpent;
  };

  // Demands: batch b holds consumers [b * 500, (b + 1) * 500).
  const haveDemand = new Uint8Array(N);
  const batches = Math.ceil(N / DEMAND_BATCH);
  let nextBatch = 0;
  let demands = 0;
  await pool(
    DEMAND_CONCURRENCY,
    () => (nextBatch < batches && !overBudget() ? nextBatch++ : undefined),
    async (b) => {
      const from = b * DEMAND_BATCH;
      const to = Math.min(N, from + DEMAND_BATCH);
      const Demands = [];
      for (let i = from; i < to; i++)
        Demands.push({
          tenantId: CITY,
          consumerCode: consumerCode(i),
          consumerType: 'BUILDING',
          businessService: SERVICE,
          payer: { name: 'Bench Payer', mobileNumber: '9876543210' },
          taxPeriodFrom: TAX_PERIOD_FROM,
          taxPeriodTo: TAX_PERIOD_TO,
          demandDetails: [
            { taxHeadMasterCode: 'WS_CHARGE', taxAmount: charge(i) / 100, collectionAmount: 0 },
            { taxHeadMasterCode: 'WS_TIME_PENALTY', taxAmount: penalty(i) / 100, collectionAmount: 0 },
          ],
        });
      let a: Answer;
      try {
        a = await digit(
          server.base,
          'POST',
          '/billing-service/demand/_create',
          '',
          { ...ri(token), Demands },
          300_000,
        );
      } catch (err) {
        return errors.add('demand/_create: no answer', (err as Error).message);
      }
      const created = (a.json as { Demands?: { consumerCode: string }[] } | undefined)?.Demands;
      if (a.status !== 201) return errors.add(`demand/_create ${errorKey(a)}`, a.text);
      if (created?.length !== to - from)
        return errors.add('demand/_create: wrong count', `${created?.length} of ${to - from}: ${a.text}`);
      for (let i = from; i < to; i++) haveDemand[i] = 1;
      demands += to - from;
    },
  );
  const demandSeconds = secondsSince(t0);
  print(
    `prepared ${demands} demands in ${demandSeconds.toFixed(1)} s (${Math.round(demands / demandSeconds)}/s, ` +
      `${DEMAND_BATCH} a call, ${DEMAND_CONCURRENCY} calls in flight)`,
  );

  // As autovacuum would after so many rows: the bills are fetched against the demands' statistics.
  await analyzeDigit(db);

  // Bills, one consumer a call.
  const t1 = process.hrtime.bigint();
  const bills: (Bill | undefined)[] = new Array(N);
  let next = 0;
  await pool(
    CONCURRENCY,
    () => {
      while (next < N && !haveDemand[next]) next++;
      return next < N && !overBudget() ? next++ : undefined;
    },
    async (i) => {
      const path =
        `/billing-service/bill/v2/_fetchbill?tenantId=${CITY}&businessService=${SERVICE}` +
        `&consumerCode=${consumerCode(i)}`;
      let a: Answer;
      try {
        a = await digit(server.base, 'POST', path, '', ri(token), 60_000);
      } catch (err) {
        return errors.add('_fetchbill: no answer', (err as Error).message);
      }
      if (a.status !== 201) return errors.add(`_fetchbill ${errorKey(a)}`, a.text);
      const found = (a.json as { Bill?: { id: string; status: string; totalAmount: number }[] }).Bill ?? [];
      const due = charge(i) + penalty(i);
      if (
        found.length !== 1 ||
        found[0].status !== 'ACTIVE' ||
        Math.round(found[0].totalAmount * 100) !== due
      )
        return errors.add(
          '_fetchbill: unexpected bill',
          `consumer ${consumerCode(i)} owes ${due} paise: ${a.text}`,
        );
      bills[i] = { id: found[0].id, rupees: found[0].totalAmount, paise: due };
    },
  );
  const billSeconds = secondsSince(t1);
  const ready = bills.filter((b): b is Bill => b !== undefined);
  print(
    `prepared ${ready.length} bills in ${billSeconds.toFixed(1)} s (${Math.round(ready.length / billSeconds)}/s ` +
      `at concurrency ${CONCURRENCY})`,
  );
  const seconds = secondsSince(t0);
  print(
    `preparation took ${seconds.toFixed(1)} s for ${ready.length} of ${N} bills` +
      `${budgetSpent ? ` (its budget of ${PREPARE_SECONDS} s was spent: FEWER BILLS than asked)` : ''}` +
      `${errors.total ? `; errors ${JSON.stringify(errors.counts)}` : ''}`,
  );
  return { bills: ready, demandSeconds, billSeconds, seconds, errors: errors.counts, budgetSpent };
}

interface Run {
  ok: number;
  latencies: Float64Array;
  errors: Record<string, number>;
  seconds: number;
  perSecond: number;
  cpu: ReturnType<typeof cpuSpent>;
  ranOut: boolean;
}

/** The books' side of the successes: bills paid, their sum in paise, the receipts answered. */
interface Paid {
  billIds: string[];
  paise: bigint;
  receipts: string[];
}

/** payments/_create at CONCURRENCY, a bill each, for `seconds` or `limit` payments or until the bills run out. */
async function pay(
  what: string,
  server: Server,
  token: string,
  bills: Bill[],
  cursor: { next: number },
  seconds: number,
  limit: number,
  paid: Paid,
): Promise<Run> {
  const latencies: number[] = [];
  const errors = new Tally(what);
  let started = 0;
  let ranOut = false;
  const cpu0 = cpuMark(server.pid, DB_NAME);
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await pool(
    CONCURRENCY,
    () => {
      if (started >= limit || Date.now() >= deadline) return undefined;
      if (cursor.next >= bills.length) {
        ranOut = true;
        return undefined;
      }
      started++;
      return cursor.next++;
    },
    async (i) => {
      const bill = bills[i];
      const body = {
        ...ri(token),
        Payment: {
          tenantId: CITY,
          totalAmountPaid: bill.rupees,
          paymentMode: 'CASH',
          paidBy: 'Bench Payer',
          paymentDetails: [{ businessService: SERVICE, billId: bill.id, totalAmountPaid: bill.rupees }],
        },
      };
      const s = process.hrtime.bigint();
      let a: Answer;
      try {
        a = await digit(server.base, 'POST', '/collection-services/payments/_create', '', body, 30_000);
      } catch (err) {
        return errors.add('no answer', (err as Error).message);
      }
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      if (a.status !== 200) return errors.add(errorKey(a), a.text);
      const details =
        (a.json as { Payments?: { paymentDetails?: { receiptNumber?: unknown }[] }[] } | undefined)
          ?.Payments?.[0]?.paymentDetails ?? [];
      if (details.length !== 1 || typeof details[0].receiptNumber !== 'string')
        return errors.add('200 without one receipt', a.text);
      latencies.push(ms);
      paid.billIds.push(bill.id);
      paid.paise += BigInt(bill.paise);
      paid.receipts.push(details[0].receiptNumber);
    },
  );
  const elapsed = secondsSince(t0);
  return {
    ok: latencies.length,
    latencies: Float64Array.from(latencies).sort(),
    errors: errors.counts,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    cpu: cpuSpent(cpu0, cpuMark(server.pid, DB_NAME)),
    ranOut,
  };
}

const figures = (r: Run) => ({
  p50: percentile(r.latencies, 50),
  p90: percentile(r.latencies, 90),
  p99: percentile(r.latencies, 99),
  max: r.latencies[r.latencies.length - 1] ?? NaN,
});

/** The checks of the books against what the server answered, each with what was found. */
async function checkBooks(db: Client, paid: Paid, answered: number) {
  const [payments] = (
    await db.query(`SELECT count(*)::int AS n FROM digit_payments WHERE tenant_id = $1`, [CITY])
  ).rows as { n: number }[];

  const receiptRows = (
    await db.query(`SELECT receipt_number FROM digit_payment_details WHERE tenant_id = $1`, [CITY])
  ).rows as { receipt_number: string }[];
  const stored = receiptRows.map((r) => r.receipt_number);
  const seqs = stored.map((r) => Number(r.slice(r.lastIndexOf('/') + 1))).sort((x, y) => x - y);
  const gapless = seqs.every((s, k) => s === k + 1);
  const storedSet = new Set(stored);
  const answeredSet = new Set(paid.receipts);
  const receiptsOk =
    stored.length === answered &&
    storedSet.size === stored.length &&
    answeredSet.size === paid.receipts.length &&
    paid.receipts.every((r) => storedSet.has(r)) &&
    gapless;

  const [bills] = (
    await db.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'PAID')::int AS paid
         FROM digit_bills WHERE id = ANY($1::uuid[])`,
      [paid.billIds],
    )
  ).rows as { n: number; paid: number }[];

  const [account] = (
    await db.query(
      `SELECT credits_posted::text AS credits FROM ledger_accounts WHERE tenant_id = $1 AND code = $2`,
      [CITY, `digit:service:${SERVICE}:INR`],
    )
  ).rows as { credits: string }[];
  const credits = BigInt(account?.credits ?? '0');

  return {
    payments: { ok: payments.n === answered, rows: payments.n, successes: answered },
    receipts: {
      ok: receiptsOk,
      stored: stored.length,
      distinct: storedSet.size,
      answeredDistinct: answeredSet.size,
      gapless,
      firstSeq: seqs[0] ?? null,
      lastSeq: seqs[seqs.length - 1] ?? null,
    },
    billsPaid: { ok: bills.paid === paid.billIds.length, paid: bills.paid, of: paid.billIds.length },
    ledger: {
      ok: credits === paid.paise,
      creditsPaise: credits.toString(),
      sumPaidPaise: paid.paise.toString(),
    },
  };
}

async function analyzeDigit(db: Client): Promise<void> {
  const tables = (
    await db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'digit\\_%' ORDER BY 1`,
    )
  ).rows as { tablename: string }[];
  for (const t of tables) await db.query(`ANALYZE "${t.tablename}"`);
}

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase(DB_NAME);
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
    JWT_SECRET: 'bench-collections-jwt-secret-that-is-long-enough-0123456789',
    FIELD_ENCRYPTION_KEY: Buffer.alloc(32, 17).toString('base64'),
    FIELD_HASH_KEY: Buffer.alloc(32, 19).toString('base64'),
    BOOTSTRAP_DEMO: 'false',
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL,
    ...EXTRA_ENV,
  };
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  let server: Server | undefined;
  try {
    server = await startServer(env, { kind: SERVER_KIND });
    const token = await onboard(server, env);
    print(
      `collections bench: payments/_create at concurrency ${CONCURRENCY} for ${SECONDS} s after ${WARMUP} ` +
        `unmeasured, ${N} bills asked for; server pid ${server.pid} (${SERVER_KIND}` +
        `${Object.keys(EXTRA_ENV).length ? `, env ${JSON.stringify(EXTRA_ENV)}` : ''}); ${cpus().length} cores`,
    );

    // 1. preparation
    const prep = await prepare(server, token, db);
    await analyzeDigit(db);
    const cursor = { next: 0 };
    const paid: Paid = { billIds: [], paise: 0n, receipts: [] };

    // 2. warm-up
    let warmOk = 0;
    let warmErrors: Record<string, number> = {};
    if (WARMUP > 0) {
      const warm = await pay('warm-up', server, token, prep.bills, cursor, 600, WARMUP, paid);
      warmOk = warm.ok;
      warmErrors = warm.errors;
      print(
        `warm-up: ${warm.ok} payments in ${warm.seconds.toFixed(2)} s (not counted)` +
          `${Object.keys(warm.errors).length ? `; errors ${JSON.stringify(warm.errors)}` : ''}`,
      );
      await db.query('ANALYZE');
    }

    // 3. measured
    const billsLeft = prep.bills.length - cursor.next;
    const run = await pay(
      'payment',
      server,
      token,
      prep.bills,
      cursor,
      SECONDS,
      Number.MAX_SAFE_INTEGER,
      paid,
    );
    const f = figures(run);
    print(
      `payments: ${run.ok} in ${run.seconds.toFixed(2)} s = ${Math.round(run.perSecond)}/s; latency p50 ` +
        `${f.p50.toFixed(2)} ms, p90 ${f.p90.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, max ${f.max.toFixed(2)} ms; ` +
        `errors ${JSON.stringify(run.errors)}`,
    );
    if (run.ranOut)
      print(
        `  the ${billsLeft} bills left after the warm-up ran out after ${run.seconds.toFixed(1)} s of ${SECONDS} s`,
      );
    print(
      `  CPU seconds: server ${run.cpu.server}, PostgreSQL backends ${run.cpu.postgres}, bench ` +
        `${run.cpu.benchAndSimulator}, other ${run.cpu.other} (${run.seconds.toFixed(1)} s wall, ${cpus().length} cores)`,
    );

    // 4. the books
    const answered = warmOk + run.ok;
    const checks = await checkBooks(db, paid, answered);
    print(
      `books: ${checks.payments.rows} digit_payments rows for ${answered} successes (${warmOk} in the warm-up); ` +
        `receipts ${checks.receipts.stored} stored, ${checks.receipts.distinct} distinct, sequence ` +
        `${checks.receipts.firstSeq}..${checks.receipts.lastSeq}${checks.receipts.gapless ? ' gapless' : ' WITH GAPS'}; ` +
        `${checks.billsPaid.paid} of ${checks.billsPaid.of} paid bills PAID; ledger digit:service:${SERVICE}:INR ` +
        `credited ${checks.ledger.creditsPaise} paise for ${checks.ledger.sumPaidPaise} paid`,
    );
    print(`server: ${server.warnings()} warning/error log lines`);
    const problems: string[] = [];
    for (const [name, c] of Object.entries(checks))
      if (!c.ok) problems.push(`check ${name} failed: ${JSON.stringify(c)}`);
    if (Object.keys(prep.errors).length) problems.push(`preparation errors: ${JSON.stringify(prep.errors)}`);
    if (run.ok === 0) problems.push('no payment succeeded');
    if (server.exited()) problems.push(`the server ${server.exited()}:\n${server.tail()}`);
    if (problems.length) print(`PROBLEMS:\n  ${problems.join('\n  ')}`);
    const result = {
      bench: 'collections',
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      payments: run.ok,
      paymentsPerSecond: Math.round(run.perSecond),
      p50Ms: round(f.p50),
      p90Ms: round(f.p90),
      p99Ms: round(f.p99),
      maxMs: round(f.max),
      measuredSeconds: round(run.seconds),
      ranOutOfBills: run.ranOut,
      errors: run.errors,
      warmup: { payments: warmOk, errors: warmErrors },
      preparation: {
        billsAsked: N,
        bills: prep.bills.length,
        seconds: round(prep.seconds, 1),
        demandSeconds: round(prep.demandSeconds, 1),
        billSeconds: round(prep.billSeconds, 1),
        budgetSpent: prep.budgetSpent,
        errors: prep.errors,
      },
      checks: Object.fromEntries(Object.entries(checks).map(([k, c]) => [k, c.ok])),
      books: checks,
      cpuSeconds: run.cpu,
      aims: AIMS,
      metAims: {
        paymentsPerSecond: run.perSecond >= AIMS.paymentsPerSecond,
        p99Ms: f.p99 < AIMS.p99Ms,
      },
    };
    print(JSON.stringify(result));
    if (problems.length) process.exitCode = 1;
  } finally {
    await server?.stop();
    agent.destroy();
    await closeDatabase(db, DB_NAME);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
