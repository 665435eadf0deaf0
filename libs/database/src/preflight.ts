import Redis from 'ioredis';
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

export async function ensureRedis(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new DependencyUnavailableError(
      `Cannot reach Redis at ${redactUrl(redisUrl)}: ${(err as Error).message}. ${HOW_TO_START_REDIS}`,
    );
  } finally {
    redis.disconnect();
  }
}
