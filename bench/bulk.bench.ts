import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { startPayerFsp, PayerFspSimulator } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { dutchIban, freshDatabase, print } from './support';

/*
 * npm run bench:bulk — one batch of N credit instructions (default 100,000) end to end: the server runs as its
 * own process (ROLE=all), as `npm start` runs it: the compiled dist/ (the npm script builds it first) with the
 * same node flags; BENCH_BULK_SERVER=ts-node runs the sources as test/support/spawn.ts does (the TypeScript
 * compiler then adds about 180 MB of RSS that production never has). The payer-FSP
 * simulator runs here with zero latency and pushes the statuses back. Figures: ingest of POST /bulk-payment
 * (v1 JSON), end to end until the batch is final, instructions per second, and the server's peak RSS during
 * the batch; then the same for a CSV upload (POST /batchtransactions?type=csv, streamed). The books are
 * checked at the end; any difference fails the run. Last line: one JSON object.
 *
 * BENCH_BULK_N (100000)                instructions per batch (10000 while developing)
 * BENCH_BULK_CSV (1)                   0 skips the CSV batch
 * BENCH_BULK_WARMUP (1000)             instructions of a batch run first, unmeasured (0: none)
 * BENCH_BULK_SUB_BATCH_SIZE (1000), BENCH_BULK_MAX_IN_FLIGHT (8)       the program's sizing
 * BENCH_BULK_PUSH_CHUNK (1000), BENCH_BULK_PUSH_CONCURRENCY (4)        the simulator's status pushes
 * BENCH_BULK_REGISTER_CHUNK (10000)    payees per POST /register-beneficiary during setup
 * BENCH_BULK_TIMEOUT_SECONDS (900)     per batch, from request start to a final state
 * BENCH_BULK_LOG_LEVEL (info)          the server's LOG_LEVEL
 * BENCH_BULK_SERVER (dist)             'dist' runs dist/apps/payments-bb/src/main.js; 'ts-node' the sources
 * BENCH_BULK_SERVER_NODE_FLAGS         extra node flags for the server, space-separated
 * BENCH_BULK_SERVER_ENV                extra server environment, e.g. "DATABASE_POOL_SIZE=20 BULK_SWEEP_INTERVAL_MS=1000"
 * BENCH_BULK_CPU_PROFILE               a directory: the server's CPU profile of each measured batch is written
 *                                      there and its hottest functions and modules are printed
 * BENCH_BULK_MEMORY (0)                1: the server's heap, external and array-buffer memory are sampled too, and a
 *                                      full GC after each batch tells live memory from garbage (so the next batch
 *                                      starts from live memory only)
 * BENCH_DATABASE_URL                   admin URL of the local PostgreSQL (postgres://postgres@127.0.0.1:5432/postgres)
 * BENCH_REDIS_URL                      redis://127.0.0.1:6379
 */

const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got '${raw}'`);
  return n;
};

const N = int('BENCH_BULK_N', 100_000);
const WITH_CSV = process.env.BENCH_BULK_CSV !== '0';
const WARMUP = int('BENCH_BULK_WARMUP', 1000);
const SUB_BATCH_SIZE = int('BENCH_BULK_SUB_BATCH_SIZE', 1000);
const MAX_IN_FLIGHT = int('BENCH_BULK_MAX_IN_FLIGHT', 8);
const PUSH_CHUNK = int('BENCH_BULK_PUSH_CHUNK', 1000);
const PUSH_CONCURRENCY = int('BENCH_BULK_PUSH_CONCURRENCY', 4);
const REGISTER_CHUNK = int('BENCH_BULK_REGISTER_CHUNK', 10_000);
const TIMEOUT_MS = int('BENCH_BULK_TIMEOUT_SECONDS', 900) * 1000;
const LOG_LEVEL = process.env.BENCH_BULK_LOG_LEVEL ?? 'info';
const PROFILE_DIR = process.env.BENCH_BULK_CPU_PROFILE;
const MEMORY = process.env.BENCH_BULK_MEMORY === '1';
const SERVER_KIND = process.env.BENCH_BULK_SERVER || 'dist';
if (!['ts-node', 'dist'].includes(SERVER_KIND))
  throw new Error(`BENCH_BULK_SERVER must be ts-node or dist, got '${SERVER_KIND}'`);
const SERVER_FLAGS = [
  '--max-semi-space-size=64',
  '--max-old-space-size=1536',
  ...(process.env.BENCH_BULK_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean),
  // Only exposes gc() to the probe, which collects once after each batch to tell live memory from garbage.
  ...(MEMORY ? ['--expose-gc'] : []),
];
const EXTRA_ENV = Object.fromEntries(
  (process.env.BENCH_BULK_SERVER_ENV ?? '')
    .split(' ')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

const DB_NAME = 'payments_bench_bulk';
const TENANT = 'bench-bulk';
const CURRENCY = 'TZS';
const ROOT = join(__dirname, '..');
const MAIN_TS = 'apps/payments-bb/src/main.ts';
const MAIN_DIST = 'dist/apps/payments-bb/src/main.js';
const AIMS = { ingestSeconds: 5, instructionsPerSecond: 5000, peakRssMb: 512 };
const FINAL = ['completed', 'partially_completed', 'failed', 'cancelled'];
const POLL_MS = 50;
const RSS_SAMPLE_MS = 100;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const secondsSince = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Six (rail, payee FSP) groups, so the batch splits the way a real one does: mobile money routed by the payer
 * FSP and through two operators, domestic accounts at two banks, and IBANs.
 */
const PAYEE_KINDS: { modality: '00' | '01'; institution?: string; address: (i: number) => string }[] = [
  { modality: '01', address: (i) => `+2557${pad(i, 8)}` },
  { modality: '01', institution: 'VODATZTZ', address: (i) => `+2557${pad(i, 8)}` },
  { modality: '01', institution: 'AIRTTZTZ', address: (i) => `+2556${pad(i, 8)}` },
  { modality: '00', institution: 'CRDBTZTZ', address: (i) => `0150${pad(i, 10)}` },
  { modality: '00', institution: 'NMIBTZTZ', address: (i) => `2040${pad(i, 10)}` },
  { modality: '00', institution: 'ABNANL2A', address: (i) => dutchIban(i) },
];
const functionalId = (i: number) => `BFID${pad(i, 16)}`;
/** TZS 1,000.00 to 1,499.99, in minor units. */
const amountMinor = (i: number) => 100_000 + ((i * 7919) % 50_000);
const decimal = (minor: bigint) => `${minor / 100n}.${pad(Number(minor % 100n), 2)}`;
const batchTotal = (n: number) => {
  let s = 0n;
  for (let i = 0; i < n; i++) s += BigInt(amountMinor(i));
  return s;
};

// ---------------------------------------------------------------------------------------------- processes

/** /proc/<pid>/status fields in kB. */
function procStatus(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const CLOCK_TICKS = 100;
/** User + system CPU seconds of a process (and of its reaped children). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU seconds of every local process whose command line contains `text` (PostgreSQL backends of a database, Redis). */
function cpuOf(text: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) total += cpuSeconds(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy CPU seconds of the whole machine, all cores. */
function machineBusy(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / CLOCK_TICKS;
}

interface CpuMark {
  server: number;
  postgres: number;
  redis: number;
  bench: number;
  machine: number;
}
const cpuMark = (pid: number): CpuMark => {
  const own = process.cpuUsage();
  return {
    server: cpuSeconds(pid),
    postgres: cpuOf(` ${DB_NAME} `),
    redis: cpuOf('redis-server'),
    bench: (own.user + own.system) / 1e6,
    machine: machineBusy(),
  };
};
const cpuSpent = (from: CpuMark, to: CpuMark) => {
  const d = (k: keyof CpuMark) => to[k] - from[k];
  return {
    server: round(d('server'), 1),
    postgres: round(d('postgres'), 1),
    redis: round(d('redis'), 1),
    benchAndSimulator: round(d('bench'), 1),
    // Everything else on the machine: PostgreSQL's background writers, and whatever else runs meanwhile.
    other: round(Math.max(0, d('machine') - d('server') - d('postgres') - d('redis') - d('bench')), 1),
  };
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** bench/server-probe.ts as plain JavaScript in a temporary file, so that even a compiled server can preload it. */
function probeScript(): string {
  const source = readFileSync(join(__dirname, 'server-probe.ts'), 'utf8');
  const js = transpileModule(source, {
    compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022 },
  }).outputText;
  const file = join(tmpdir(), `pbb-bench-server-probe-${process.pid}.js`);
  writeFileSync(file, js);
  return file;
}

type ProbeReply = {
  id: number;
  error?: string;
  memory?: NodeJS.MemoryUsage;
  started?: boolean;
  file?: string;
};

interface Server {
  child: ChildProcess;
  pid: number;
  base: string;
  tail: () => string;
  warnings: () => number;
  exited: () => string | undefined;
  /** Asks the preloaded bench/server-probe.ts; only when the bench loaded it (a profile or BENCH_BULK_MEMORY=1). */
  probe?: (op: string, extra?: object) => Promise<ProbeReply>;
  stop: () => Promise<void>;
}

/** The server as its own process (ts-node as test/support/spawn.ts runs it, or dist/), with the node flags of `npm start`. */
async function startServer(env: Record<string, string>): Promise<Server> {
  const withProbe = Boolean(PROFILE_DIR) || MEMORY;
  const preload = withProbe ? ['-r', probeScript()] : [];
  const entry =
    SERVER_KIND === 'dist'
      ? [...preload, MAIN_DIST]
      : ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ...preload, MAIN_TS];
  if (SERVER_KIND === 'dist' && !existsSync(join(ROOT, MAIN_DIST)))
    throw new Error(`${MAIN_DIST} is missing: npm run build first`);
  const child = spawn(process.execPath, [...SERVER_FLAGS, ...entry], {
    cwd: ROOT,
    env: { ...process.env, ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe', ...(withProbe ? (['ipc'] as const) : [])],
  });
  let out = '';
  let warnings = 0;
  let exit: string | undefined;
  const collect = (d: Buffer) => {
    const text = d.toString();
    // pino levels: 40 warn, 50 error, 60 fatal.
    warnings += (text.match(/"level":(4|5|6)0/g) ?? []).length;
    out = (out + text).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.on('exit', (code, signal) => (exit = `exited with ${code ?? signal}`));
  const waiting = new Map<number, (r: ProbeReply) => void>();
  let nextId = 1;
  if (withProbe)
    child.on('message', (m: unknown) => {
      const reply = m as ProbeReply;
      waiting.get(reply?.id)?.(reply);
      waiting.delete(reply?.id);
    });
  const base = `http://127.0.0.1:${env.PORT}`;
  const until = Date.now() + 180_000;
  for (;;) {
    if (exit) throw new Error(`The server ${exit} while starting:\n${out.slice(-4000)}`);
    try {
      if ((await fetch(`${base}/health/live`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`The server did not start within 180 s:\n${out.slice(-4000)}`);
    await sleep(250);
  }
  return {
    child,
    pid: child.pid!,
    base,
    tail: () => out.slice(-4000),
    warnings: () => warnings,
    exited: () => exit,
    probe: withProbe
      ? (op, extra = {}) =>
          new Promise((resolve) => {
            const id = nextId++;
            waiting.set(id, resolve);
            child.send({ id, op, ...extra });
          })
      : undefined,
    stop: () =>
      new Promise((resolve) => {
        if (exit) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.on('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a CLI of the server (ts-node), as `npm run client:create` does. */
function runCli(
  entry: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', entry, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

// ---------------------------------------------------------------------------------------------- HTTP

interface Answer {
  status: number;
  json: unknown;
  text: string;
}

async function call(
  base: string,
  method: string,
  path: string,
  apiKey: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-API-Key': apiKey, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

function expectStatus(what: string, a: Answer, ...ok: number[]): void {
  if (!ok.includes(a.status)) throw new Error(`${what}: HTTP ${a.status} ${a.text.slice(0, 500)}`);
}

// ---------------------------------------------------------------------------------------------- world

interface World {
  source: { code: string; apiKey: string };
  operatorKey: string;
  fspKey: string;
  fundingAccountId: string;
  settlementAccountId: string;
}

async function createWorld(
  server: Server,
  sim: PayerFspSimulator,
  env: Record<string, string>,
  funding: bigint,
): Promise<World> {
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
  const sourceKey = await participant('BENCHSOURCE1', 'source_bb');
  const fspKey = await participant('BENCHPAYERFSP', 'fsp', [`${sim.url}/`]);
  const program = await call(server.base, 'POST', '/programs', operatorKey, {
    code: 'BENCH-CASH',
    name: 'Bulk benchmark programme',
    currency: CURRENCY,
    payerFspCode: 'BENCHPAYERFSP',
    payerIdentifier: 'TZ-MOF-0001',
    requiresApproval: false,
    subBatchSize: SUB_BATCH_SIZE,
    maxInFlight: MAX_IN_FLIGHT,
  });
  expectStatus('program', program, 201);
  const p = program.json as { fundingAccountId: string; settlementAccountId: string };
  const connector = await call(server.base, 'PUT', '/fsp-connectors/BENCHPAYERFSP', operatorKey, {
    baseUrl: sim.url,
    timeoutMs: 30_000,
  });
  expectStatus('connector', connector, 200);
  const fund = await call(server.base, 'POST', `/ledger/accounts/${p.fundingAccountId}/fund`, operatorKey, {
    amount: decimal(funding),
    currency: CURRENCY,
    reference: 'BENCH-BUDGET-1',
  });
  expectStatus('fund', fund, 201, 200);
  sim.configure({ pbbApiKey: fspKey, tenantId: TENANT });
  return {
    source: { code: 'BENCHSOURCE1', apiKey: sourceKey },
    operatorKey,
    fspKey,
    fundingAccountId: p.fundingAccountId,
    settlementAccountId: p.settlementAccountId,
  };
}

async function registerPayees(server: Server, w: World, total: number): Promise<void> {
  for (let from = 0, n = 0; from < total; from += REGISTER_CHUNK, n++) {
    const beneficiaries = [];
    for (let i = from; i < Math.min(total, from + REGISTER_CHUNK); i++) {
      const kind = PAYEE_KINDS[i % PAYEE_KINDS.length];
      beneficiaries.push({
        PayeeFunctionalID: functionalId(i),
        PaymentModality: kind.modality,
        FinancialAddress: kind.address(i),
        ...(kind.institution ? { BankingInstitutionCode: kind.institution } : {}),
      });
    }
    const a = await call(server.base, 'POST', '/register-beneficiary', w.source.apiKey, {
      RequestID: `BREG${pad(n, 8)}`,
      SourceBBID: w.source.code,
      Beneficiaries: beneficiaries,
    });
    expectStatus('register-beneficiary', a, 200);
    const json = a.json as { ResponseCode: string; FailedCases?: unknown[] };
    if (json.ResponseCode !== '00' || json.FailedCases?.length)
      throw new Error(`register-beneficiary: ${a.text.slice(0, 500)}`);
  }
}

/** v1 /bulk-payment body; instruction IDs are exactly 16 characters. */
function v1Body(w: World, prefix: string, n: number, batchId: string): string {
  return JSON.stringify({
    RequestID: `R${batchId}`.slice(0, 12).padEnd(12, '0'),
    SourceBBID: w.source.code,
    BatchID: batchId,
    CreditInstructions: Array.from({ length: n }, (_, i) => ({
      InstructionID: `${prefix}${pad(i, 16 - prefix.length)}`,
      PayeeFunctionalID: functionalId(i),
      Amount: Number(decimal(BigInt(amountMinor(i)))),
      Currency: CURRENCY,
      Narration: 'Cash transfer May 2026',
    })),
  });
}

/** The CSV file as 64 KB chunks, built before the clock starts. */
function csvChunks(prefix: string, n: number): Buffer[] {
  const chunks: Buffer[] = [];
  let text = 'instruction_id,payee_functional_id,amount,currency,narration\n';
  for (let i = 0; i < n; i++) {
    text += `${prefix}${pad(i, 16 - prefix.length)},${functionalId(i)},${decimal(BigInt(amountMinor(i)))},${CURRENCY},Cash transfer May 2026\n`;
    if (text.length >= 65_536) {
      chunks.push(Buffer.from(text));
      text = '';
    }
  }
  if (text) chunks.push(Buffer.from(text));
  return chunks;
}

// ---------------------------------------------------------------------------------------------- measuring

interface BatchRow {
  id: string;
  state: string;
  state_reason: string | null;
  instruction_count: number;
  ready_count: number;
  reserved_amount: string;
  posted_amount: string;
  released_amount: string;
  created_at: Date;
  completed_at: Date | null;
}

/** Polls the batch row until it is final; notes when each state was first seen (seconds from `startedAt`). */
async function watchBatch(
  db: Client,
  batchId: string,
  startedAt: bigint,
  server: Server,
): Promise<{ row: BatchRow; seen: Map<string, number> }> {
  const seen = new Map<string, number>();
  const deadline = Date.now() + TIMEOUT_MS - secondsSince(startedAt) * 1000;
  for (;;) {
    const [row] = (await db.query(`SELECT * FROM batches WHERE id = $1`, [batchId])).rows as BatchRow[];
    if (row && !seen.has(row.state)) seen.set(row.state, secondsSince(startedAt));
    if (row && FINAL.includes(row.state)) return { row, seen };
    if (server.exited()) throw new Error(`The server ${server.exited()} during the batch:\n${server.tail()}`);
    if (Date.now() > deadline) {
      const states = (
        await db.query(
          `SELECT state, count(*)::int AS n FROM batch_instructions WHERE batch_id = $1 GROUP BY 1`,
          [batchId],
        )
      ).rows;
      const subs = (
        await db.query(`SELECT state, count(*)::int AS n FROM sub_batches WHERE batch_id = $1 GROUP BY 1`, [
          batchId,
        ])
      ).rows;
      throw new Error(
        `Batch ${batchId} not final after ${TIMEOUT_MS / 1000} s: ${row?.state} (${row?.state_reason}); instructions ${JSON.stringify(states)}; ` +
          `sub-batches ${JSON.stringify(subs)}\nserver log:\n${server.tail()}`,
      );
    }
    await sleep(POLL_MS);
  }
}

type MemoryPeaks = {
  heapUsedMb: number;
  heapUsedAt: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
};

/**
 * The largest VmRSS seen every 100 ms, and VmHWM (reset at the start where the kernel allows it); with the probe,
 * the largest heap, external and array-buffer figures too.
 */
function memoryWatcher(server: Server) {
  const pid = server.pid;
  const t0 = process.hrtime.bigint();
  let hwmReset = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    hwmReset = true;
  } catch {
    // not allowed here: the sampled maximum is the figure
  }
  let max = procStatus(pid).VmRSS ?? 0;
  let maxAt = 0;
  const timer = setInterval(() => {
    try {
      const rss = procStatus(pid).VmRSS ?? 0;
      if (rss > max) [max, maxAt] = [rss, secondsSince(t0)];
    } catch {
      // the process ended
    }
  }, RSS_SAMPLE_MS);
  const peaks: MemoryPeaks = {
    heapUsedMb: 0,
    heapUsedAt: 0,
    heapTotalMb: 0,
    externalMb: 0,
    arrayBuffersMb: 0,
  };
  let sampling = Boolean(server.probe);
  const mb = (bytes: number) => round(bytes / 1048576, 1);
  const sampleHeap = async () => {
    while (sampling) {
      const r = await server.probe!('memory');
      if (r.memory) {
        if (mb(r.memory.heapUsed) > peaks.heapUsedMb)
          [peaks.heapUsedMb, peaks.heapUsedAt] = [mb(r.memory.heapUsed), round(secondsSince(t0), 1)];
        peaks.heapTotalMb = Math.max(peaks.heapTotalMb, mb(r.memory.heapTotal));
        peaks.externalMb = Math.max(peaks.externalMb, mb(r.memory.external));
        peaks.arrayBuffersMb = Math.max(peaks.arrayBuffersMb, mb(r.memory.arrayBuffers));
      }
      await sleep(RSS_SAMPLE_MS);
    }
  };
  const heapDone = sampleHeap();
  return {
    stop: async () => {
      clearInterval(timer);
      sampling = false;
      await heapDone;
      const s = procStatus(pid);
      const peakKb = Math.max(max, hwmReset ? (s.VmHWM ?? 0) : 0);
      return {
        peakMb: round(peakKb / 1024, 1),
        sampledMaxMb: round(max / 1024, 1),
        sampledMaxAt: round(maxAt, 1),
        hwmMb: hwmReset ? round((s.VmHWM ?? 0) / 1024, 1) : null,
        endMb: round((s.VmRSS ?? 0) / 1024, 1),
        heap: server.probe ? peaks : null,
        liveHeapMb: MEMORY ? mb((await server.probe!('gc')).memory?.heapUsed ?? 0) : null,
      };
    },
  };
}

interface Timeline {
  label: string;
  at: number;
}

/**
 * Where the time went, from the rows (timestamps from the server's clock, as seconds after the request started):
 * the ingest transaction, the pipeline states as polled, the split, the sub-batches sent and settled.
 */
async function timeline(
  db: Client,
  batchId: string,
  startedAtMs: number,
  ingestSeconds: number,
  seen: Map<string, number>,
): Promise<{ lines: Timeline[]; settle: Record<string, number> }> {
  const at = (d: Date | null | undefined) => (d ? (new Date(d).getTime() - startedAtMs) / 1000 : NaN);
  const [b] = (await db.query(`SELECT created_at, completed_at FROM batches WHERE id = $1`, [batchId]))
    .rows as { created_at: Date; completed_at: Date }[];
  const audit = (
    await db.query(
      `SELECT action, min(occurred_at) AS first, max(occurred_at) AS last, count(*)::int AS n FROM audit_log
     WHERE (object_type = 'batch' AND object_id = $1) OR (details->>'batchId') = $1 GROUP BY action`,
      [batchId],
    )
  ).rows as { action: string; first: Date; last: Date; n: number }[];
  const act = (a: string) => audit.find((r) => r.action === a);
  const [s] = (
    await db.query(
      `SELECT count(*)::int AS n, min(created_at) AS split_at, min(submitted_at) AS first_submit, max(submitted_at) AS last_submit,
            max(completed_at) AS last_done, min(completed_at) AS first_done,
            avg(extract(epoch FROM completed_at - submitted_at))::float AS avg_open_s,
            max(attempts)::int AS max_attempts, count(*) FILTER (WHERE polled_at IS NOT NULL)::int AS polled
     FROM sub_batches WHERE batch_id = $1`,
      [batchId],
    )
  ).rows as {
    n: number;
    split_at: Date;
    first_submit: Date;
    last_submit: Date;
    last_done: Date;
    first_done: Date;
    avg_open_s: number;
    max_attempts: number;
    polled: number;
  }[];
  const lines: Timeline[] = [
    { label: 'ingest transaction began (batches.created_at)', at: at(b.created_at) },
    { label: 'ingest transaction wrote its audit row', at: at(act('bulk.batch.receive')?.first) },
    { label: 'POST answered', at: ingestSeconds },
    ...[...seen].map(([state, t]) => ({ label: `state ${state} first seen (polled)`, at: t })),
    {
      label: 'reservation booked (ledger.transfer.pending, first)',
      at: at(act('ledger.transfer.pending')?.first),
    },
    { label: `split into ${s.n} sub-batches (audit)`, at: at(act('bulk.batch.split')?.first) },
    { label: 'first sub-batch submitted', at: at(s.first_submit) },
    { label: 'first sub-batch settled', at: at(s.first_done) },
    { label: 'last sub-batch submitted', at: at(s.last_submit) },
    { label: 'last sub-batch settled', at: at(s.last_done) },
    { label: 'batch final (batches.completed_at)', at: at(b.completed_at) },
  ].filter((l) => !Number.isNaN(l.at));
  lines.sort((x, y) => x.at - y.at);
  const settlements = act('ledger.transfer.post_pending')?.n ?? 0;
  return {
    lines,
    settle: {
      subBatches: s.n,
      settlementTransactions: settlements,
      avgSubBatchOpenSeconds: round(s.avg_open_s ?? 0, 3),
      maxSubmitAttempts: s.max_attempts,
      subBatchesPolled: s.polled,
      sendAndSettleSeconds: round(at(s.last_done) - at(s.first_submit), 2),
    },
  };
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The hottest functions (self time) and modules of a V8 CPU profile. */
function summariseProfile(file: string): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: CpuProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
  };
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
    const where = url ? `${moduleOf(url, functionName)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + hits);
    const mod = moduleOf(url, functionName);
    byModule.set(mod, (byModule.get(mod) ?? 0) + hits);
  }
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  const top = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, hits]) => `    ${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `  server CPU profile (${seconds.toFixed(1)} s, ${total} samples), by module:`,
    ...top(byModule, 15),
    '  hottest functions (self):',
    ...top(byFn, 25),
  ];
}

// ---------------------------------------------------------------------------------------------- one batch

interface BatchRun {
  label: string;
  batchId: string;
  ingestSeconds: number;
  endToEndSeconds: number;
  instructionsPerSecond: number;
  rss: Awaited<ReturnType<ReturnType<typeof memoryWatcher>['stop']>>;
  cpu: ReturnType<typeof cpuSpent>;
  total: bigint;
}

async function runBatch(
  label: string,
  server: Server,
  db: Client,
  n: number,
  send: () => Promise<Answer>,
  batchIdOf: (a: Answer) => string,
  quiet = false,
): Promise<BatchRun> {
  if (PROFILE_DIR && !quiet) {
    const r = await server.probe!('profile-start');
    if (!r.started) throw new Error(`profiler: ${r.error}`);
  }
  const rss = memoryWatcher(server);
  const cpu0 = cpuMark(server.pid);
  const startedAtMs = Date.now();
  const t0 = process.hrtime.bigint();
  const answer = await send();
  const ingestSeconds = secondsSince(t0);
  if (answer.status !== 200 && answer.status !== 202)
    throw new Error(`${label}: HTTP ${answer.status} ${answer.text.slice(0, 500)}`);
  const batchId = batchIdOf(answer);
  const { row, seen } = await watchBatch(db, batchId, t0, server);
  const endToEndSeconds = secondsSince(t0);
  const cpu = cpuSpent(cpu0, cpuMark(server.pid));
  const peak = await rss.stop();
  const run: BatchRun = {
    label,
    batchId,
    ingestSeconds,
    endToEndSeconds,
    instructionsPerSecond: n / endToEndSeconds,
    rss: peak,
    cpu,
    total: batchTotal(n),
  };
  await verifyBatch(db, run, n, row);
  if (quiet) return run;

  print(`${label}: ${n} instructions, batch ${batchId} ${row.state}`);
  print(
    `  ingest ${ingestSeconds.toFixed(2)} s (HTTP ${answer.status}); end to end ${endToEndSeconds.toFixed(2)} s = ${Math.round(run.instructionsPerSecond)} instructions/s`,
  );
  print(
    `  server RSS peak ${peak.peakMb} MB (sampled max ${peak.sampledMaxMb} MB at ${peak.sampledMaxAt} s${peak.hwmMb === null ? '' : `, VmHWM ${peak.hwmMb} MB`}), at the end ${peak.endMb} MB`,
  );
  if (peak.heap)
    print(
      `  server memory peaks: heap used ${peak.heap.heapUsedMb} MB at ${peak.heap.heapUsedAt} s, heap total ${peak.heap.heapTotalMb} MB, ` +
        `external ${peak.heap.externalMb} MB (array buffers ${peak.heap.arrayBuffersMb} MB)` +
        (peak.liveHeapMb === null ? '' : `; live heap after a full GC at the end ${peak.liveHeapMb} MB`),
    );
  print(
    `  CPU seconds: server ${cpu.server}, PostgreSQL backends ${cpu.postgres}, Redis ${cpu.redis}, bench + simulator ${cpu.benchAndSimulator}, ` +
      `other processes ${cpu.other} (${endToEndSeconds.toFixed(1)} s wall, ${cpus().length} cores)${cpu.other > endToEndSeconds * 0.2 ? ' — the machine was busy with other work: figures are pessimistic' : ''}`,
  );
  const t = await timeline(db, batchId, startedAtMs, ingestSeconds, seen);
  print('  timeline (s after the request started):');
  let prev = 0;
  for (const l of t.lines) {
    print(
      `    ${l.at.toFixed(2).padStart(7)}  (+${Math.max(0, l.at - prev)
        .toFixed(2)
        .padStart(5)})  ${l.label}`,
    );
    prev = Math.max(prev, l.at);
  }
  print(`  sub-batches: ${JSON.stringify(t.settle)}`);
  if (PROFILE_DIR) {
    const file = join(PROFILE_DIR, `bulk-${label.replace(/\W+/g, '-')}-${Date.now()}.cpuprofile`);
    const r = await server.probe!('profile-stop', { file });
    if (!r.file) throw new Error(`profiler: ${r.error}`);
    print(`  CPU profile: ${file}`);
    for (const line of summariseProfile(file)) print(line);
  }
  return run;
}

/** The batch paid everything exactly once and the ledger agrees to the unit. */
async function verifyBatch(db: Client, run: BatchRun, n: number, row: BatchRow): Promise<void> {
  const problems: string[] = [];
  const states = (
    await db.query(
      `SELECT state, count(*)::int AS n FROM batch_instructions WHERE batch_id = $1 GROUP BY 1`,
      [run.batchId],
    )
  ).rows as { state: string; n: number }[];
  const completed = states.find((s) => s.state === 'completed')?.n ?? 0;
  if (row.state !== 'completed') problems.push(`batch state ${row.state} (${row.state_reason})`);
  if (completed !== n)
    problems.push(`${completed} of ${n} instructions completed (${JSON.stringify(states)})`);
  if (row.reserved_amount !== '0') problems.push(`${row.reserved_amount} still reserved`);
  if (BigInt(row.posted_amount) !== run.total)
    problems.push(`posted ${row.posted_amount}, expected ${run.total}`);
  if (row.released_amount !== '0') problems.push(`released ${row.released_amount}, expected 0`);
  if (problems.length) throw new Error(`${run.label}: the books do not add up:\n  ${problems.join('\n  ')}`);
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  if (PROFILE_DIR && !existsSync(PROFILE_DIR)) mkdirSync(PROFILE_DIR, { recursive: true });
  const databaseUrl = await freshDatabase(DB_NAME);
  const sim = await startPayerFsp({
    port: 0,
    latencyMs: 0,
    pushChunkSize: PUSH_CHUNK,
    pushConcurrency: PUSH_CONCURRENCY,
  });
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
    JWT_SECRET: 'bench-bulk-jwt-secret-that-is-long-enough-0123456789',
    FIELD_ENCRYPTION_KEY: Buffer.alloc(32, 11).toString('base64'),
    FIELD_ENCRYPTION_KEY_ID: 'bench-k1',
    FIELD_HASH_KEY: Buffer.alloc(32, 13).toString('base64'),
    BOOTSTRAP_DEMO: 'false',
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL,
    CALLBACK_ALLOW_PRIVATE_TARGETS: 'true',
    BULK_JSON_LIMIT: '500mb',
    ...EXTRA_ENV,
  };
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  let server: Server | undefined;
  try {
    server = await startServer(env);
    const bootRssMb = round((procStatus(server.pid).VmRSS ?? 0) / 1024, 1);
    const payees = Math.max(N, WARMUP);
    const funding = batchTotal(N) * (WITH_CSV ? 2n : 1n) + batchTotal(WARMUP) + 100n;
    const w = await createWorld(server, sim, env, funding);
    const regStart = process.hrtime.bigint();
    await registerPayees(server, w, payees);
    const registerSeconds = secondsSince(regStart);
    print(
      `bulk bench: ${N} instructions per batch over ${PAYEE_KINDS.length} (rail, payee FSP) groups, sub-batches of ${SUB_BATCH_SIZE}, ` +
        `${MAX_IN_FLIGHT} in flight; simulator latency 0, pushes of ${PUSH_CHUNK} at concurrency ${PUSH_CONCURRENCY}; server pid ${server.pid} ` +
        `(${SERVER_KIND}, ${SERVER_FLAGS.join(' ')}), ${Object.keys(EXTRA_ENV).length ? `env ${JSON.stringify(EXTRA_ENV)}, ` : ''}RSS after boot ${bootRssMb} MB`,
    );
    print(
      `setup: ${payees} payees registered in ${registerSeconds.toFixed(1)} s; server RSS ${round((procStatus(server.pid).VmHWM ?? 0) / 1024, 1)} MB at its highest so far`,
    );

    const bulkPayment = (body: string) => () =>
      call(server!.base, 'POST', '/bulk-payment', w.source.apiKey, body);
    const paymentsBatchId = (a: Answer) => (a.json as { PaymentsBatchID: string }).PaymentsBatchID;
    if (WARMUP > 0) {
      const warm = await runBatch(
        'warm-up',
        server,
        db,
        WARMUP,
        bulkPayment(v1Body(w, 'WARM', WARMUP, 'WARMUP000001')),
        paymentsBatchId,
        true,
      );
      print(
        `warm-up: ${WARMUP} instructions end to end in ${warm.endToEndSeconds.toFixed(2)} s (not counted)`,
      );
    }

    const jsonBody = v1Body(w, 'JSON', N, 'BENCHBATCH01');
    print(`v1 JSON body: ${(jsonBody.length / 1e6).toFixed(1)} MB`);
    const v1 = await runBatch(
      'v1 JSON (POST /bulk-payment)',
      server,
      db,
      N,
      bulkPayment(jsonBody),
      paymentsBatchId,
    );

    let csv: BatchRun | undefined;
    if (WITH_CSV) {
      const chunks = csvChunks('CSVI', N);
      print(
        `CSV file: ${(chunks.reduce((s, c) => s + c.length, 0) / 1e6).toFixed(1)} MB, streamed in ${chunks.length} chunks`,
      );
      csv = await runBatch(
        'CSV (POST /batchtransactions?type=csv)',
        server,
        db,
        N,
        async () => {
          const res = await fetch(`${server!.base}/batchtransactions?type=csv`, {
            method: 'POST',
            headers: {
              'Content-Type': 'text/csv',
              'X-API-Key': w.source.apiKey,
              'X-CorrelationID': 'BENCH-CSV-0001',
            },
            body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
            duplex: 'half',
          } as RequestInit);
          const text = await res.text();
          return { status: res.status, text, json: JSON.parse(text) as unknown };
        },
        (a) => (a.json as { batchId: string }).batchId,
      );
    }

    // The books as a whole: the funding account paid exactly what the batches posted and holds nothing pending.
    const [acct] = (
      await db.query(`SELECT debits_pending::text, debits_posted::text FROM ledger_accounts WHERE id = $1`, [
        w.fundingAccountId,
      ])
    ).rows as {
      debits_pending: string;
      debits_posted: string;
    }[];
    const expectedPosted = v1.total + (csv?.total ?? 0n) + (WARMUP > 0 ? batchTotal(WARMUP) : 0n);
    const paid = sim.executions();
    let twice = 0;
    for (const c of paid.values()) if (c > 1) twice++;
    const expectedPaid = N * (WITH_CSV ? 2 : 1) + WARMUP;
    const problems: string[] = [];
    if (acct.debits_pending !== '0') problems.push(`funding account has ${acct.debits_pending} pending`);
    if (BigInt(acct.debits_posted) !== expectedPosted)
      problems.push(`funding account posted ${acct.debits_posted}, expected ${expectedPosted}`);
    if (paid.size !== expectedPaid)
      problems.push(`the simulator paid ${paid.size} instructions, expected ${expectedPaid}`);
    if (twice) problems.push(`${twice} instructions paid more than once`);
    const pushes = sim.pushStats();
    print(
      `ledger: funding account posted ${decimal(BigInt(acct.debits_posted))} ${CURRENCY}, pending ${acct.debits_pending}; simulator paid ${paid.size}, twice ${twice}; pushes ${JSON.stringify(pushes)}`,
    );
    print(
      `server: ${server.warnings()} warning/error log lines; VmHWM over the whole run ${round((procStatus(server.pid).VmHWM ?? 0) / 1024, 1)} MB (since the last reset)`,
    );
    if (problems.length) throw new Error(`The books do not add up:\n  ${problems.join('\n  ')}`);

    const peakRssMb = Math.max(v1.rss.peakMb, csv?.rss.peakMb ?? 0);
    const result = {
      bench: 'bulk',
      instructions: N,
      ingestSeconds: round(v1.ingestSeconds, 3),
      csvIngestSeconds: csv ? round(csv.ingestSeconds, 3) : null,
      endToEndSeconds: round(v1.endToEndSeconds, 3),
      csvEndToEndSeconds: csv ? round(csv.endToEndSeconds, 3) : null,
      instructionsPerSecond: Math.round(v1.instructionsPerSecond),
      csvInstructionsPerSecond: csv ? Math.round(csv.instructionsPerSecond) : null,
      peakRssMb,
      bootRssMb,
      cpuSeconds: v1.cpu,
      aims: AIMS,
      aimsMet: {
        ingestSeconds:
          v1.ingestSeconds <= AIMS.ingestSeconds && (!csv || csv.ingestSeconds <= AIMS.ingestSeconds),
        instructionsPerSecond: v1.instructionsPerSecond >= AIMS.instructionsPerSecond,
        peakRssMb: peakRssMb < AIMS.peakRssMb,
      },
    };
    print(JSON.stringify(result));
  } finally {
    await server?.stop();
    await sim.close();
    // A statement still running for a server that is gone (a run that timed out) would go on burning CPU.
    await db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [DB_NAME],
    );
    await db.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
