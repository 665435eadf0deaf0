import { Client } from 'pg';
import { runMigrations } from '../../libs/database/src/migrate';
import { TEST_DATABASE_URL } from './test-env';

/**
 * A fresh test database per run: dropped and recreated, then migrated once. Tests isolate themselves
 * with fresh tenants, so they never depend on what another test left behind.
 */
export default async function globalSetup(): Promise<void> {
  const url = new URL(TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  await runMigrations(TEST_DATABASE_URL);
}
