import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

/** Reads the raw string: implicit conversion would already have turned 'false' into true. */
const toBool = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  if (raw === undefined || raw === '') return undefined;
  const s = String(raw).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  return raw;
};

/**
 * Every setting the server reads from the environment. Validated once at boot: a bad value stops the
 * process with a message naming the variable, instead of failing later in the middle of a payment.
 */
export class EnvConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3333;

  @IsIn(['api', 'worker', 'all'])
  ROLE: 'api' | 'worker' | 'all' = 'all';

  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/payments';

  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  @IsBoolean()
  @Transform(toBool)
  DATABASE_CREATE_IF_MISSING: boolean = true;

  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @Matches(/^[a-z0-9_-]{1,32}$/i, { message: 'QUEUE_PREFIX must be 1-32 letters, digits, - or _' })
  QUEUE_PREFIX: string = 'pbb';

  @IsIn(['on', 'none'], {
    message: "AUTH_MODE must be 'on' (default) or 'none' (sandbox behind an Information Mediator)",
  })
  AUTH_MODE: 'on' | 'none' = 'on';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsInt()
  @Min(60)
  @Max(86400)
  JWT_TTL_SECONDS: number = 900;

  @IsString()
  JWT_ISSUER: string = 'govstack-payments-bb';

  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'FIELD_ENCRYPTION_KEY must be 32 random bytes, base64-encoded',
  })
  FIELD_ENCRYPTION_KEY?: string;

  @Matches(/^[A-Za-z0-9._-]{1,32}$/, {
    message: 'FIELD_ENCRYPTION_KEY_ID must be 1-32 letters, digits, . _ or -',
  })
  FIELD_ENCRYPTION_KEY_ID: string = 'k1';

  /** Keys kept only to decrypt older rows: "id:base64,id:base64". */
  @IsOptional()
  @Matches(/^([A-Za-z0-9._-]{1,32}:[A-Za-z0-9+/]{43}=)(,[A-Za-z0-9._-]{1,32}:[A-Za-z0-9+/]{43}=)*$/, {
    message: 'FIELD_ENCRYPTION_RETIRED_KEYS must be a comma-separated list of id:base64key',
  })
  FIELD_ENCRYPTION_RETIRED_KEYS?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'FIELD_HASH_KEY must be 32 random bytes, base64-encoded' })
  FIELD_HASH_KEY?: string;

  /** Where development keys are generated and kept when none are configured (never in production). */
  @IsString()
  SECRETS_FILE: string = '.data/secrets.json';

  @Matches(/^\d+(b|kb|mb)$/i, { message: "BODY_LIMIT must look like '50mb'" })
  BODY_LIMIT: string = '50mb';

  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAPPER_MAX_BENEFICIARIES: number = 200_000;

  @IsInt()
  @Min(1)
  @Max(50)
  CALLBACK_MAX_ATTEMPTS: number = 8;

  @IsInt()
  @Min(10)
  @Max(3_600_000)
  CALLBACK_BACKOFF_BASE_MS: number = 2_000;

  @IsInt()
  @Min(100)
  @Max(86_400_000)
  CALLBACK_BACKOFF_MAX_MS: number = 3_600_000;

  @IsInt()
  @Min(100)
  @Max(120_000)
  CALLBACK_TIMEOUT_MS: number = 10_000;

  @IsBoolean()
  @Transform(toBool)
  CALLBACK_ALLOW_PRIVATE_TARGETS: boolean = false;

  @IsInt()
  @Min(200)
  @Max(3_600_000)
  CALLBACK_RECOVERY_INTERVAL_MS: number = 30_000;

  @IsInt()
  @Min(100)
  @Max(3_600_000)
  LEDGER_SWEEP_INTERVAL_MS: number = 5_000;

  /** How other systems reach this server: the base of the status-push URL given to payer FSPs. */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL: string = 'http://127.0.0.1:3333';

  /**
   * Bulk JSON bodies (/bulk-payment, /batchtransactions?type=raw) only; CSV uploads are streamed and unlimited in
   * size. A parsed body takes about 6-7 times its size in heap: 160mb (1,000,000 v1 instructions) fits the 1.5 GB
   * old-generation ceiling the start scripts set, so raise both together.
   */
  @Matches(/^\d+(b|kb|mb)$/i, { message: "BULK_JSON_LIMIT must look like '160mb'" })
  BULK_JSON_LIMIT: string = '160mb';

  @IsInt()
  @Min(1)
  @Max(10_000_000)
  BULK_MAX_INSTRUCTIONS: number = 1_000_000;

  /** How often waiting batches (funds, authorization, schedule) and unanswered sub-batches are looked at again. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  BULK_SWEEP_INTERVAL_MS: number = 10_000;

  @IsInt()
  @Min(1)
  @Max(86_400)
  BULK_STATUS_POLL_AFTER_SECONDS: number = 300;

  @IsInt()
  @Min(10)
  @Max(3_600_000)
  BULK_SUBMIT_BACKOFF_BASE_MS: number = 1_000;

  @IsInt()
  @Min(100)
  @Max(86_400_000)
  BULK_SUBMIT_BACKOFF_MAX_MS: number = 300_000;

  /** Failed instructions listed in a batch's final callback; the rest are in the CSV report it links to. */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  BULK_CALLBACK_MAX_FAILURES: number = 10_000;

  /** Digits of a generated voucher number (16-25). 16 keeps it below 2^53, exact as a JSON number (v1 sends integers). */
  @IsInt()
  @Min(16)
  @Max(25)
  VOUCHER_NUMBER_DIGITS: number = 16;

  /** How often expired vouchers are expired, finished ones purged and unanswered redemptions asked about. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  VOUCHER_SWEEP_INTERVAL_MS: number = 30_000;

  /** Days a consumed, cancelled or expired voucher keeps its number before it is purged (the row stays). */
  @IsInt()
  @Min(1)
  @Max(3650)
  VOUCHER_PURGE_AFTER_DAYS: number = 90;

  /** First status check of a redemption whose payment answer did not come; later checks back off. */
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  VOUCHER_REDEMPTION_CHECK_MS: number = 5_000;

  /** Wrong voucher numbers one caller may send for one merchant in VOUCHER_GUESS_WINDOW_SECONDS before it is slowed. */
  @IsInt()
  @Min(1)
  @Max(1000)
  VOUCHER_GUESS_THROTTLE_AFTER: number = 3;

  /** ... and before it is locked out for VOUCHER_GUESS_LOCKOUT_SECONDS. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  VOUCHER_GUESS_LOCKOUT_AFTER: number = 10;

  @IsInt()
  @Min(1)
  @Max(86_400)
  VOUCHER_GUESS_WINDOW_SECONDS: number = 900;

  @IsInt()
  @Min(1)
  @Max(604_800)
  VOUCHER_GUESS_LOCKOUT_SECONDS: number = 1800;

  /**
   * This server's RSA private key (PEM, or the PEM base64-encoded) for encrypted voucher files (JWE): partners
   * encrypt batch activation files to its public half (GET /vouchers/encryption-key). Unset: encrypted files are
   * refused with 503.
   */
  @IsOptional()
  @IsString()
  VOUCHER_JWE_PRIVATE_KEY?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'VOUCHER_JWE_KEY_ID must be 1-64 letters, digits, . _ or -' })
  VOUCHER_JWE_KEY_ID?: string;

  /** Biller onboarding needs a second operator's approval (maker-checker) before the biller can be paid. */
  @IsBoolean()
  @Transform(toBool)
  P2G_ONBOARDING_MAKER_CHECKER: boolean = true;

  /** First retry of a mark-bill-paid advice the biller did not take; later retries back off to the maximum. */
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  P2G_ADVICE_BACKOFF_BASE_MS: number = 2_000;

  @IsInt()
  @Min(10)
  @Max(86_400_000)
  P2G_ADVICE_BACKOFF_MAX_MS: number = 900_000;

  /** How often due advices are re-enqueued (after a restart or a lost job) and overdue requests to pay expired. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  P2G_SWEEP_INTERVAL_MS: number = 10_000;

  /** Hours a request to pay stays open for the payer before it expires (EXP). */
  @IsInt()
  @Min(1)
  @Max(8_760)
  P2G_RTP_TTL_HOURS: number = 72;

  /** Bearer token a Prometheus scraper sends to GET /metrics (32+ characters); unset: no /metrics. */
  @IsOptional()
  @MinLength(32, { message: 'METRICS_TOKEN must be at least 32 characters' })
  METRICS_TOKEN?: string;

  /**
   * Also serve GET /metrics on this port, in every role: the way to scrape a worker-only process (its job metrics
   * exist only there). With METRICS_TOKEN set it is required here too; without it, keep the port private.
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  /** The OAuth client DIGIT integrators send by HTTP Basic on POST /user/oauth/token (DIGIT's own public client). */
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'DIGIT_OAUTH_CLIENT_ID must be 1-64 letters, digits, . _ or -',
  })
  DIGIT_OAUTH_CLIENT_ID: string = 'egov-user-client';

  /** Its secret; empty as in DIGIT (the user's password is what is checked). Set one to require it. */
  @IsString()
  DIGIT_OAUTH_CLIENT_SECRET: string = '';

  /** Lifetime of a DIGIT access token (DIGIT: 7 days); refresh tokens live twice as long. */
  @IsInt()
  @Min(60)
  @Max(2_592_000)
  DIGIT_TOKEN_TTL_SECONDS: number = 604_800;

  /** Console sessions end after this long without a request (docs/console.md). */
  @IsInt()
  @Min(1)
  @Max(480)
  CONSOLE_SESSION_IDLE_MINUTES: number = 30;

  /** ...and this long after login, however active. */
  @IsInt()
  @Min(1)
  @Max(72)
  CONSOLE_SESSION_MAX_HOURS: number = 12;

  /** Failed logins in a row that lock an operator account, and for how long. */
  @IsInt()
  @Min(1)
  @Max(100)
  CONSOLE_LOGIN_MAX_FAILURES: number = 5;

  @IsInt()
  @Min(1)
  @Max(1440)
  CONSOLE_LOCKOUT_MINUTES: number = 15;

  /**
   * The tenant whose admins run the platform itself: the queue board shows every tenant's jobs, so only they may
   * open it. Unset: DEFAULT_TENANT_ID.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'CONSOLE_PLATFORM_TENANT must be 1-64 letters, digits, . _ or -' })
  CONSOLE_PLATFORM_TENANT?: string;

  /** The session cookie's Secure flag; unset: on in production, off elsewhere (http://localhost installs). */
  @IsOptional()
  @IsBoolean()
  @Transform(toBool)
  CONSOLE_COOKIE_SECURE?: boolean;

  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'DEFAULT_TENANT_ID must be 1-64 letters, digits, . _ or -' })
  DEFAULT_TENANT_ID: string = 'demo';

  @IsOptional()
  @IsBoolean()
  @Transform(toBool)
  BOOTSTRAP_DEMO?: boolean;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @IsBoolean()
  @Transform(toBool)
  MIGRATIONS_RUN: boolean = true;
}

export class ConfigError extends Error {}

/** Parses and validates the environment; throws ConfigError listing every bad variable at once. */
export function loadEnvConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  // Optional settings have no initial value, so name them explicitly.
  const known = [
    ...Object.keys(new EnvConfig()),
    'BOOTSTRAP_DEMO',
    'JWT_SECRET',
    'FIELD_ENCRYPTION_KEY',
    'FIELD_ENCRYPTION_RETIRED_KEYS',
    'FIELD_HASH_KEY',
    'VOUCHER_JWE_PRIVATE_KEY',
    'VOUCHER_JWE_KEY_ID',
    'METRICS_TOKEN',
    'METRICS_PORT',
    'CONSOLE_COOKIE_SECURE',
    'CONSOLE_PLATFORM_TENANT',
  ];
  const relevant: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && v !== '' && known.includes(k)) relevant[k] = v;
  }
  const config = plainToInstance(EnvConfig, relevant, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length) {
    const lines = errors.map((e) => {
      const got = relevant[e.property];
      return `  - ${Object.values(e.constraints ?? {}).join('; ')} (got ${got === undefined ? 'nothing' : `'${e.property.includes('KEY') || e.property.includes('SECRET') ? '***' : got}'`})`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (config.BOOTSTRAP_DEMO === undefined) config.BOOTSTRAP_DEMO = config.NODE_ENV !== 'production';
  config.CONSOLE_PLATFORM_TENANT ??= config.DEFAULT_TENANT_ID;
  if (config.CONSOLE_COOKIE_SECURE === undefined) config.CONSOLE_COOKIE_SECURE = config.NODE_ENV === 'production';
  return config;
}
