/** The environment every e2e test boots with; a test may override single values. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/payments_test';

export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  ROLE: 'all',
  DATABASE_URL: TEST_DATABASE_URL,
  REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  AUTH_MODE: 'on',
  JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
  FIELD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  FIELD_ENCRYPTION_KEY_ID: 'test-k1',
  FIELD_HASH_KEY: Buffer.alloc(32, 9).toString('base64'),
  BOOTSTRAP_DEMO: 'false',
  MIGRATIONS_RUN: 'false',
  LOG_LEVEL: 'silent',
  CALLBACK_ALLOW_PRIVATE_TARGETS: 'true',
  CALLBACK_BACKOFF_BASE_MS: '50',
  CALLBACK_BACKOFF_MAX_MS: '200',
  CALLBACK_RECOVERY_INTERVAL_MS: '500',
  CALLBACK_TIMEOUT_MS: '2000',
};
