import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '@app/platform';
import { createHttpApp } from '../apps/payments-bb/src/bootstrap/configure-app';
import { buildOpenApiDocument } from '../apps/payments-bb/src/bootstrap/swagger';

export const OPENAPI_FILE = join(__dirname, '..', 'openapi', 'payments-bb.openapi.json');

/** `--write` regenerates the committed OpenAPI file from the code; `--check` fails when it is stale. */
async function main(): Promise<void> {
  const config = AppConfig.load({ ROLE: 'api', BOOTSTRAP_DEMO: 'false', LOG_LEVEL: 'warn', MIGRATIONS_RUN: 'false' });
  const app = await createHttpApp(config);
  const text = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  await app.close();
  if (process.argv.includes('--write')) {
    writeFileSync(OPENAPI_FILE, text);
    process.stdout.write(`Wrote ${OPENAPI_FILE}\n`);
  } else if (readFileSync(OPENAPI_FILE, 'utf8') !== text) {
    process.stderr.write(`${OPENAPI_FILE} is stale: run npm run openapi:generate and commit it\n`);
    process.exit(1);
  } else {
    process.stdout.write('OpenAPI document is current\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
