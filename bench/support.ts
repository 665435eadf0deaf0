import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
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
export async function startBenchApp(name: string, env: Record<string, string> = {}): Promise<{ app: INestApplication; base: string }> {
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
