import { ConsoleLogger, INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigError } from '@app/platform';
import { DependencyUnavailableError, ensurePostgres, runMigrations } from '@app/database';
import { CliModule } from './cli.module';

/** Standard output of a CLI is its result (credentials as JSON, an import report); every log line goes to stderr. */
class StderrLogger extends ConsoleLogger {
  protected printMessages(messages: unknown[], context?: string, logLevel?: LogLevel): void {
    super.printMessages(messages, context, logLevel, 'stderr');
  }
}

export function exitWith(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Boots the CLI module on a migrated database; configuration errors end the command with their message. */
export async function withCliContext<T>(
  fn: (ctx: INestApplicationContext, config: AppConfig) => Promise<T>,
): Promise<T> {
  let config: AppConfig;
  try {
    config = AppConfig.load();
    await ensurePostgres(config.env.DATABASE_URL, config.env.DATABASE_CREATE_IF_MISSING);
    await runMigrations(config.env.DATABASE_URL);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DependencyUnavailableError) exitWith(err.message);
    throw err;
  }
  const logger = new StderrLogger();
  logger.setLogLevels(['error', 'warn']);
  const ctx = await NestFactory.createApplicationContext(CliModule.forConfig(config), { logger });
  try {
    return await fn(ctx, config);
  } finally {
    await ctx.close();
  }
}

/** `--name value` and repeated `--name a --name b` flags. */
export function parseFlags(argv: string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const [name, inline] = a.slice(2).split('=', 2);
    const value = inline ?? (argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true');
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}
