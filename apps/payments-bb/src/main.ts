import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError } from '@app/platform';
import { DependencyUnavailableError, ensurePostgres, ensureRedis, runMigrations } from '@app/database';
import { createHttpApp, createWorkerContext } from './bootstrap/configure-app';

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

/** Checks dependencies and migrates before Nest starts, so a failure says what is wrong in one line. */
export async function prepare(config: AppConfig): Promise<string[]> {
  await ensurePostgres(config.env.DATABASE_URL, config.env.DATABASE_CREATE_IF_MISSING);
  await ensureRedis(config.env.REDIS_URL);
  return config.env.MIGRATIONS_RUN ? runMigrations(config.env.DATABASE_URL) : [];
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.load();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  try {
    await prepare(config);
  } catch (err) {
    if (err instanceof DependencyUnavailableError) fail(err.message);
    throw err;
  }
  const logger = new Logger('Main');
  if (config.runsApi) {
    const app = await createHttpApp(config);
    await app.listen(config.env.PORT, '0.0.0.0');
  } else {
    await createWorkerContext(config);
  }
  if (config.authDisabled)
    logger.warn('AUTH_MODE=none: requests are NOT authenticated. Only run like this behind an Information Mediator.');
  if (config.secrets.generatedFile)
    logger.warn(`Using development keys from ${config.secrets.generatedFile}; set them in the environment for production.`);
  logger.log(`Payments BB started: role=${config.env.ROLE}${config.runsApi ? ` port=${config.env.PORT}` : ''}`);
}

if (require.main === module) {
  main().catch((err: unknown) => fail(`Startup failed: ${(err as Error).stack ?? String(err)}`));
}
