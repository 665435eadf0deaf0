import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DependencyUnavailableError, ensurePostgres, ensureRedis, runMigrations } from '@app/database';
import { MIGRATIONS } from '../libs/database/src/migrations';
import { AppConfig, ConfigError, loadEnvConfig } from '@app/platform';
import { TEST_DATABASE_URL, TEST_ENV } from './support/test-env';

const PASSWORD = 's3cr3tPw';
const UNREACHABLE_PG = `postgres://postgres:${PASSWORD}@127.0.0.1:1/x`;

/** The rejection of a promise, or fails when it resolves. */
async function rejectionOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** A database name no other run uses, on the test server. */
const scratchDatabase = () => {
  const name = `pbb_scratch_${randomBytes(4).toString('hex')}`;
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
};

describe('Startup: configuration, dependency checks, migrations', () => {
  let admin: Client;
  const scratch: string[] = [];

  beforeAll(async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/postgres';
    admin = new Client({ connectionString: url.toString() });
    await admin.connect();
  });
  afterAll(async () => {
    for (const name of scratch) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  const databaseExists = async (name: string) =>
    (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1;

  describe('configuration', () => {
    it.each([
      ['PORT', 'eighty', /PORT must be an integer number/],
      ['PORT', '70000', /PORT must not be greater than 65535/],
      ['AUTH_MODE', 'off', /AUTH_MODE must be 'on' \(default\) or 'none'/],
      ['ROLE', 'web', /ROLE must be one of the following values: api, worker, all/],
      ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a postgres:\/\/ URL/],
    ])('refuses %s=%s with a message naming the variable', (name, value, message) => {
      const err = configErrorOf(() => loadEnvConfig({ ...TEST_ENV, [name]: value }));
      expect(err.message).toMatch(/^Invalid configuration:/);
      expect(err.message).toMatch(message);
      expect(err.message).toContain(`(got '${value}')`);
    });

    it('refuses to run in production without its secrets, naming each missing one', () => {
      const err = configErrorOf(() =>
        AppConfig.load({
          ...TEST_ENV,
          NODE_ENV: 'production',
          JWT_SECRET: '',
          FIELD_ENCRYPTION_KEY: '',
          FIELD_HASH_KEY: '',
        }),
      );
      expect(err.message).toBe(
        'Missing secrets in production: JWT_SECRET, FIELD_ENCRYPTION_KEY, FIELD_HASH_KEY. Generate each with: openssl rand -base64 32',
      );
      const one = configErrorOf(() =>
        AppConfig.load({ ...TEST_ENV, NODE_ENV: 'production', FIELD_HASH_KEY: '' }),
      );
      expect(one.message).toMatch(/^Missing secrets in production: FIELD_HASH_KEY\./);
    });

    it('starts in production when every secret is given', () => {
      const config = AppConfig.load({ ...TEST_ENV, NODE_ENV: 'production' });
      expect(config.secrets.generatedFile).toBeUndefined();
      expect(config.env.BOOTSTRAP_DEMO).toBe(false); // TEST_ENV says so; production's default is off too
      expect(config.authDisabled).toBe(false);
    });
  });

  describe('dependency checks', () => {
    it('names PostgreSQL, where it looked (password masked) and how to start it', async () => {
      const err = await rejectionOf(ensurePostgres(UNREACHABLE_PG, false));
      expect(err).toBeInstanceOf(DependencyUnavailableError);
      expect(err.message).toContain('Cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:1/x');
      expect(err.message).toContain('127.0.0.1:1');
      expect(err.message).toMatch(
        /start it with .*pg_ctlcluster.*docker compose up -d postgres.*DATABASE_URL/,
      );
      expect(err.message).not.toContain(PASSWORD);
    });

    it('does not try to create a database on a server it cannot reach', async () => {
      const err = await rejectionOf(ensurePostgres(UNREACHABLE_PG, true));
      expect(err).toBeInstanceOf(DependencyUnavailableError);
      expect(err.message).not.toContain(PASSWORD);
    });

    it('names Redis, where it looked and how to start it', async () => {
      const err = await rejectionOf(ensureRedis(`redis://:${PASSWORD}@127.0.0.1:1`));
      expect(err).toBeInstanceOf(DependencyUnavailableError);
      expect(err.message).toContain('Cannot reach Redis at redis://:***@127.0.0.1:1');
      expect(err.message).toMatch(/start it with .*redis-server.*docker compose up -d redis.*REDIS_URL/);
      expect(err.message).not.toContain(PASSWORD);
      const plain = await rejectionOf(ensureRedis('redis://127.0.0.1:1'));
      expect(plain.message).toMatch(/^Cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    });

    it('passes when both are up', async () => {
      await expect(ensurePostgres(TEST_DATABASE_URL, false)).resolves.toBeUndefined();
      await expect(ensureRedis(TEST_ENV.REDIS_URL)).resolves.toBeUndefined();
    });

    it('creates a missing database when allowed, and says so when not', async () => {
      const db = scratchDatabase();
      scratch.push(db.name);
      const refused = await rejectionOf(ensurePostgres(db.url, false));
      expect(refused).toBeInstanceOf(DependencyUnavailableError);
      expect(refused.message).toContain(`database "${db.name}" does not exist`);
      expect(refused.message).toContain('DATABASE_CREATE_IF_MISSING=true');
      expect(await databaseExists(db.name)).toBe(false);

      await ensurePostgres(db.url, true);
      expect(await databaseExists(db.name)).toBe(true);
      // A second start finds it there.
      await ensurePostgres(db.url, true);
    });
  });

  describe('migrations', () => {
    it('two processes migrating the same fresh database at once apply each migration exactly once', async () => {
      const db = scratchDatabase();
      scratch.push(db.name);
      await ensurePostgres(db.url, true);

      const [a, b] = await Promise.all([runMigrations(db.url), runMigrations(db.url)]);
      const names = MIGRATIONS.map((m) => new m().name as string);
      expect([...a, ...b].sort()).toEqual([...names].sort());
      expect([a.length, b.length].sort()).toEqual([0, names.length]);

      const client = new Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string; n: number }>(
          `SELECT name, count(*)::int AS n FROM schema_migrations GROUP BY name ORDER BY name`,
        );
        expect(rows).toEqual([...names].sort().map((name) => ({ name, n: 1 })));
        const tables = await client.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'audit_log'`,
        );
        expect(tables.rows).toHaveLength(1);
      } finally {
        await client.end();
      }

      // Starting again later applies nothing.
      expect(await runMigrations(db.url)).toEqual([]);
    });
  });
});
