import { Client } from 'pg';
import { runMigrations } from '../../libs/database/src/migrate';

function adminUrl(url: string): { admin: string; name: string } {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  return { admin: u.toString(), name };
}

async function asAdmin(url: string, sql: (name: string) => string): Promise<void> {
  const { admin, name } = adminUrl(url);
  const pg = new Client({ connectionString: admin });
  await pg.connect();
  try {
    await pg.query(sql(name));
  } finally {
    await pg.end();
  }
}

/** A fresh, migrated database for tests that must not share rows with any other test file. */
export async function createDatabase(url: string): Promise<void> {
  await asAdmin(url, (name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await asAdmin(url, (name) => `CREATE DATABASE "${name}"`);
  await runMigrations(url);
}

export async function dropDatabase(url: string): Promise<void> {
  await asAdmin(url, (name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
