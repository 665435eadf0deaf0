import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { AppConfig } from '@app/platform';
import { createHttpApp } from '../apps/payments-bb/src/bootstrap/configure-app';
import { runMigrations } from '@app/database';

/** A fresh, migrated database for a benchmark run, so figures never depend on leftovers. */
export async function freshDatabase(name: string): Promise<string> {
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return url.toString();
}

/** A valid Dutch IBAN for a sequence number (check digits by mod 97). */
export function dutchIban(n: number): string {
  const bban = `ABNA${String(n).padStart(10, '0')}`;
  const digits = `${bban}NL00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return `NL${String(98 - rest).padStart(2, '0')}${bban}`;
}

export const print = (line: string) => process.stdout.write(`${line}\n`);

/** The real application, API role, on a free loopback port of a fresh database; returns it and its base URL. */
export async function startBenchApp(
  name: string,
  env: Record<string, string> = {},
): Promise<{ app: INestApplication; base: string }> {
  const databaseUrl = await freshDatabase(name);
  const config = AppConfig.load({
    DATABASE_URL: databaseUrl,
    ROLE: 'api',
    PORT: '0',
    LOG_LEVEL: 'silent',
    BOOTSTRAP_DEMO: 'false',
    MIGRATIONS_RUN: 'false',
    ...env,
  });
  const app = await createHttpApp(config);
  await app.listen(0, '127.0.0.1');
  return { app, base: await app.getUrl() };
}

// ---------------------------------------------------------------------------------------------- figures

/** A whole number from the environment (the fallback when unset or empty); throws naming the variable else. */
export const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got '${raw}'`);
  return n;
};

export const secondsSince = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
export const round = (x: number, digits = 2) => Number(x.toFixed(digits));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs `work(i)` for i = 0.. at `concurrency`, until `next()` says there is nothing more to do. */
export async function pool(
  concurrency: number,
  next: () => number | undefined,
  work: (i: number) => Promise<void>,
) {
  const worker = async () => {
    for (let i = next(); i !== undefined; i = next()) await work(i);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

// ---------------------------------------------------------------------------------------------- processes

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

/** CPU seconds of every local process whose command line contains `text` (the PostgreSQL backends of a database). */
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

function machineBusy(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / CLOCK_TICKS;
}

export type CpuMark = { server: number; postgres: number; bench: number; machine: number };
/** CPU seconds so far of the server process, the PostgreSQL backends of `database`, this process and the machine. */
export const cpuMark = (pid: number, database: string): CpuMark => {
  const own = process.cpuUsage();
  return {
    server: cpuSeconds(pid),
    // Backends show the database in their title; a connection to it from here counts too (it is idle then).
    postgres: cpuOf(` ${database} `),
    bench: (own.user + own.system) / 1e6,
    machine: machineBusy(),
  };
};
/** CPU seconds between two marks; PostgreSQL backends that ended meanwhile take their seconds along (never < 0). */
export const cpuSpent = (a: CpuMark, b: CpuMark) => {
  const postgres = Math.max(0, b.postgres - a.postgres);
  return {
    server: round(b.server - a.server, 1),
    postgres: round(postgres, 1),
    benchAndSimulator: round(b.bench - a.bench, 1),
    other: round(
      Math.max(0, b.machine - a.machine - (b.server - a.server) - postgres - (b.bench - a.bench)),
      1,
    ),
  };
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export const ROOT = join(__dirname, '..');
const MAIN_TS = 'apps/payments-bb/src/main.ts';
const MAIN_DIST = 'dist/apps/payments-bb/src/main.js';
/** The node flags `npm start` runs the server with. */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64', '--max-old-space-size=1536'];

/** bench/server-probe.ts as plain JavaScript in a temporary file, so that even a compiled server can preload it. */
function probeScript(): string {
  const source = readFileSync(join(__dirname, 'server-probe.ts'), 'utf8');
  const js = transpileModule(source, {
    compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022 },
  }).outputText;
  const file = join(tmpdir(), `pbb-bench-probe-${process.pid}.js`);
  writeFileSync(file, js);
  return file;
}

export type ProbeReply = { id: number; error?: string; started?: boolean; file?: string };

export interface Server {
  pid: number;
  base: string;
  tail: () => string;
  warnings: () => number;
  exited: () => string | undefined;
  probe?: (op: string, extra?: object) => Promise<ProbeReply>;
  stop: () => Promise<void>;
}

/**
 * What every bench reads about its server: `<PREFIX>_SERVER` ('dist', default, or 'ts-node') and
 * `<PREFIX>_SERVER_ENV` (extra environment as "K=V K=V").
 */
export function serverSettings(prefix: string): { kind: string; extraEnv: Record<string, string> } {
  const kind = process.env[`${prefix}_SERVER`] || 'dist';
  if (!['ts-node', 'dist'].includes(kind))
    throw new Error(`${prefix}_SERVER must be ts-node or dist, got '${kind}'`);
  const extraEnv = Object.fromEntries(
    (process.env[`${prefix}_SERVER_ENV`] ?? '')
      .split(' ')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  return { kind, extraEnv };
}

/** Ends every other connection to the bench's database, then this one. */
export async function closeDatabase(db: Client, name: string): Promise<void> {
  await db.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [name],
  );
  await db.end();
}

export interface ServerOptions {
  /** 'dist' (default) runs dist/apps/payments-bb/src/main.js as `npm start` does; 'ts-node' the sources. */
  kind?: string;
  /** Default SERVER_NODE_FLAGS. */
  nodeFlags?: string[];
  /** Preloads bench/server-probe.ts with an IPC channel (memory, CPU profile). */
  probe?: boolean;
}

/** The server as its own process (dist/ as `npm start` runs it, or the sources through ts-node), on env.PORT. */
export async function startServer(env: Record<string, string>, opts: ServerOptions = {}): Promise<Server> {
  const { kind = 'dist', nodeFlags = SERVER_NODE_FLAGS, probe: withProbe = false } = opts;
  const preload = withProbe ? ['-r', probeScript()] : [];
  const entry =
    kind === 'dist'
      ? [...preload, MAIN_DIST]
      : ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ...preload, MAIN_TS];
  if (kind === 'dist' && !existsSync(join(ROOT, MAIN_DIST)))
    throw new Error(`${MAIN_DIST} is missing: npm run build first`);
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, ...entry], {
    cwd: ROOT,
    env: { ...process.env, ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe', ...(withProbe ? (['ipc'] as const) : [])],
  });
  let out = '';
  let warnings = 0;
  let exit: string | undefined;
  const collect = (d: Buffer) => {
    const text = d.toString();
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
export function runCli(
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

export interface Answer {
  status: number;
  json: unknown;
  text: string;
}

export type Call = (
  base: string,
  method: string,
  path: string,
  apiKey: string,
  body?: unknown,
  timeoutMs?: number,
) => Promise<Answer>;

/**
 * Requests over `agent` (keep-alive connections, one per request in flight: plain node:http costs the bench less
 * CPU than fetch), each with `headers` and, unless it is '', the API key.
 */
export function caller(agent: Agent, headers: Record<string, string> = {}): Call {
  return (base, method, path, apiKey, body, timeoutMs = 60_000) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const url = new URL(path, base);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method,
          headers: {
            'Content-Type': 'application/json',
            ...(apiKey ? { 'X-API-Key': apiKey } : {}),
            ...headers,
            ...(payload ? { 'Content-Length': payload.length } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json, text });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  };
}

export function expectStatus(what: string, a: Answer, ...ok: number[]): void {
  if (!ok.includes(a.status)) throw new Error(`${what}: HTTP ${a.status} ${a.text.slice(0, 500)}`);
}
