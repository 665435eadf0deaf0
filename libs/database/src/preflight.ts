import { connect as netConnect, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Client } from 'pg';

export class DependencyUnavailableError extends Error {}

/** postgres://user:secret@host/db -> postgres://user:***@host/db, so a failed start never prints a password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

const HOW_TO_START_PG =
  "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` (Debian), " +
  '`docker compose up -d postgres`, or point DATABASE_URL at a running server';
const HOW_TO_START_REDIS =
  'start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379`, `docker compose up -d redis`, ' +
  'or point REDIS_URL at a running server';

function pgErrorCode(err: unknown): string | undefined {
  return (err as { code?: string }).code;
}

/**
 * Checks PostgreSQL before anything else starts. Creates the database when it is missing and allowed to
 * (so the first `npm start` on a fresh machine works); otherwise fails with where we looked and what to do.
 */
export async function ensurePostgres(databaseUrl: string, createIfMissing: boolean): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return;
  } catch (err) {
    if (pgErrorCode(err) === '3D000' && createIfMissing) {
      await createDatabase(databaseUrl);
      return;
    }
    throw new DependencyUnavailableError(
      `Cannot reach PostgreSQL at ${redactUrl(databaseUrl)}: ${(err as Error).message || pgErrorCode(err)}. ` +
        (pgErrorCode(err) === '3D000' ? 'The database does not exist: create it, or set DATABASE_CREATE_IF_MISSING=true.' : HOW_TO_START_PG),
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new DependencyUnavailableError(`Refusing to create database with name '${name}'`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  } catch (err) {
    // Another process may have created it a moment ago.
    if (pgErrorCode(err) !== '42P04')
      throw new DependencyUnavailableError(`Database '${name}' does not exist and could not be created: ${(err as Error).message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** A command in RESP, the Redis protocol: safe for passwords with spaces or quotes. */
const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/**
 * One PING over a plain socket (after AUTH when the URL has a password). A client library would do, but
 * leaves reconnect timers behind when the server is down; this check must leave nothing running.
 */
function pingRedis(url: URL, timeoutMs = 3000): Promise<void> {
  const host = url.hostname;
  const port = Number(url.port || 6379);
  return new Promise<void>((resolve, reject) => {
    const socket: Socket = url.protocol === 'rediss:' ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
    let reply = '';
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.once(url.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      const auth = password ? (user ? resp('AUTH', user, password) : resp('AUTH', password)) : '';
      socket.write(auth + resp('PING'));
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      const error = /^-(.*)\r\n/m.exec(reply);
      if (error) fail(new Error(error[1]));
      else if (reply.includes('+PONG\r\n')) {
        socket.destroy();
        resolve();
      }
    });
  });
}

export async function ensureRedis(redisUrl: string): Promise<void> {
  try {
    await pingRedis(new URL(redisUrl));
  } catch (err) {
    throw new DependencyUnavailableError(
      `Cannot reach Redis at ${redactUrl(redisUrl)}: ${(err as Error).message}. ${HOW_TO_START_REDIS}`,
    );
  }
}
