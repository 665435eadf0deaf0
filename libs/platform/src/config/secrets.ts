import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, EnvConfig } from './env.config';

/** The key material the server cannot run without, resolved from the environment. */
export interface ResolvedSecrets {
  jwtSecret: string;
  fieldKeyId: string;
  fieldKey: Buffer;
  retiredFieldKeys: Map<string, Buffer>;
  fieldHashKey: Buffer;
  generatedFile?: string;
}

const REQUIRED = ['JWT_SECRET', 'FIELD_ENCRYPTION_KEY', 'FIELD_HASH_KEY'] as const;

/**
 * Production must be given every key. Elsewhere a missing key is generated once into SECRETS_FILE
 * (mode 0600) so `npm start` works on a fresh machine without shipping a well-known key in the repo.
 */
export function resolveSecrets(config: EnvConfig): ResolvedSecrets {
  const missing = REQUIRED.filter((k) => !config[k]);
  let generatedFile: string | undefined;
  if (missing.length) {
    if (config.NODE_ENV === 'production') {
      throw new ConfigError(
        `Missing secrets in production: ${missing.join(', ')}. Generate each with: openssl rand -base64 32`,
      );
    }
    const file = config.SECRETS_FILE;
    let stored: Record<string, string> = {};
    if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    let changed = false;
    for (const k of missing) {
      if (!stored[k]) {
        stored[k] = randomBytes(32).toString('base64');
        changed = true;
      }
      (config as unknown as Record<string, string>)[k] = stored[k];
    }
    if (changed) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    generatedFile = file;
  }
  const retired = new Map<string, Buffer>();
  for (const pair of (config.FIELD_ENCRYPTION_RETIRED_KEYS ?? '').split(',').filter(Boolean)) {
    const [id, key] = pair.split(':');
    retired.set(id, Buffer.from(key, 'base64'));
  }
  return {
    jwtSecret: config.JWT_SECRET!,
    fieldKeyId: config.FIELD_ENCRYPTION_KEY_ID,
    fieldKey: Buffer.from(config.FIELD_ENCRYPTION_KEY!, 'base64'),
    retiredFieldKeys: retired,
    fieldHashKey: Buffer.from(config.FIELD_HASH_KEY!, 'base64'),
    generatedFile,
  };
}
