import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadEnvConfig } from './env.config';
import { resolveSecrets } from './secrets';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');
const JWT = 'a-jwt-secret-that-is-long-enough-0123456789';

describe('resolveSecrets', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pbb-secrets-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start in production without every secret, naming the missing ones', () => {
    const env = loadEnvConfig({
      NODE_ENV: 'production',
      SECRETS_FILE: join(dir, 's.json'),
      FIELD_HASH_KEY: KEY_A,
    });
    expect(() => resolveSecrets(env)).toThrow(ConfigError);
    expect(() => resolveSecrets(env)).toThrow(
      /^Missing secrets in production: JWT_SECRET, FIELD_ENCRYPTION_KEY\. /,
    );
    expect(existsSync(join(dir, 's.json'))).toBe(false);
  });

  it('uses configured keys, including retired ones', () => {
    const s = resolveSecrets(
      loadEnvConfig({
        NODE_ENV: 'production',
        JWT_SECRET: JWT,
        FIELD_ENCRYPTION_KEY: KEY_A,
        FIELD_ENCRYPTION_KEY_ID: 'k2',
        FIELD_ENCRYPTION_RETIRED_KEYS: `k1:${KEY_B},k0:${KEY_A}`,
        FIELD_HASH_KEY: KEY_B,
      }),
    );
    expect(s.jwtSecret).toBe(JWT);
    expect(s.fieldKeyId).toBe('k2');
    expect(s.fieldKey.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(s.fieldHashKey.equals(Buffer.alloc(32, 2))).toBe(true);
    expect([...s.retiredFieldKeys.keys()]).toEqual(['k1', 'k0']);
    expect(s.retiredFieldKeys.get('k1')!.equals(Buffer.alloc(32, 2))).toBe(true);
    expect(s.generatedFile).toBeUndefined();
  });

  it('outside production generates missing keys once into a 0600 file and reuses them', () => {
    const file = join(dir, 'nested', 'secrets.json');
    const first = resolveSecrets(loadEnvConfig({ NODE_ENV: 'development', SECRETS_FILE: file }));
    expect(first.generatedFile).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.fieldKey).toHaveLength(32);
    expect(first.fieldHashKey).toHaveLength(32);
    expect(first.fieldKey.equals(first.fieldHashKey)).toBe(false);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(['FIELD_ENCRYPTION_KEY', 'FIELD_HASH_KEY', 'JWT_SECRET']);
    const second = resolveSecrets(loadEnvConfig({ NODE_ENV: 'development', SECRETS_FILE: file }));
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.fieldKey.equals(first.fieldKey)).toBe(true);
  });
});
