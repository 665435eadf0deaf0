import { ConfigError, loadEnvConfig } from './env.config';

/** The ConfigError message for an environment, or fails when it loads. */
function configErrorOf(env: NodeJS.ProcessEnv): string {
  try {
    loadEnvConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadEnvConfig', () => {
  it('has working defaults', () => {
    const c = loadEnvConfig({});
    expect(c).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3333,
      ROLE: 'all',
      AUTH_MODE: 'on',
      MIGRATIONS_RUN: true,
      DATABASE_CREATE_IF_MISSING: true,
      CALLBACK_ALLOW_PRIVATE_TARGETS: false,
      BOOTSTRAP_DEMO: true,
    });
  });

  it.each([
    ['false', false],
    ['FALSE', false],
    ['0', false],
    ['no', false],
    ['off', false],
    ['true', true],
    ['True', true],
    ['1', true],
    ['yes', true],
    ['on', true],
  ])("parses the boolean '%s' as %s", (raw, expected) => {
    const c = loadEnvConfig({
      MIGRATIONS_RUN: raw,
      CALLBACK_ALLOW_PRIVATE_TARGETS: raw,
      BOOTSTRAP_DEMO: raw,
    });
    expect(c.MIGRATIONS_RUN).toBe(expected);
    expect(c.CALLBACK_ALLOW_PRIVATE_TARGETS).toBe(expected);
    expect(c.BOOTSTRAP_DEMO).toBe(expected);
  });

  it('treats an empty value as unset', () => {
    expect(loadEnvConfig({ MIGRATIONS_RUN: '', PORT: '' })).toMatchObject({
      MIGRATIONS_RUN: true,
      PORT: 3333,
    });
  });

  it('refuses a boolean it cannot read, naming the variable', () => {
    expect(configErrorOf({ MIGRATIONS_RUN: 'maybe' })).toMatch(/MIGRATIONS_RUN.*\(got 'maybe'\)/);
  });

  it('derives BOOTSTRAP_DEMO from NODE_ENV when not set', () => {
    expect(loadEnvConfig({ NODE_ENV: 'production' }).BOOTSTRAP_DEMO).toBe(false);
    expect(loadEnvConfig({ NODE_ENV: 'test' }).BOOTSTRAP_DEMO).toBe(true);
  });

  it('converts numbers and refuses ones out of range', () => {
    expect(loadEnvConfig({ PORT: '8080' }).PORT).toBe(8080);
    expect(configErrorOf({ PORT: '70000' })).toMatch(/PORT must not be greater than 65535 .*\(got '70000'\)/);
    expect(configErrorOf({ PORT: 'abc' })).toMatch(/PORT must be an integer/);
  });

  it('lists every bad variable at once', () => {
    const message = configErrorOf({ PORT: 'abc', AUTH_MODE: 'off', REDIS_URL: 'http://x' });
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain('PORT');
    expect(message).toContain("AUTH_MODE must be 'on' (default) or 'none'");
    expect(message).toContain('REDIS_URL must be a redis:// URL');
  });

  it('never echoes a secret value in the error', () => {
    const message = configErrorOf({
      JWT_SECRET: 'too-short-secret',
      FIELD_ENCRYPTION_KEY: 'not-base64-key-value',
    });
    expect(message).toContain('JWT_SECRET must be at least 32 characters');
    expect(message).toContain('FIELD_ENCRYPTION_KEY must be 32 random bytes');
    expect(message).not.toContain('too-short-secret');
    expect(message).not.toContain('not-base64-key-value');
    expect(message).toContain("(got '***')");
  });

  it('ignores variables it does not know', () => {
    expect(() => loadEnvConfig({ SOMETHING_ELSE: 'x', PATH: '/bin' })).not.toThrow();
  });
});
