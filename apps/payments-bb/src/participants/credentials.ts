import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Credentials as handed to a client once; only hashes (and the encrypted callback secret) are stored. */
export interface IssuedCredentials {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  callbackSecret: string;
}

export interface GeneratedCredentials extends IssuedCredentials {
  apiKeyId: string;
  clientSecretHash: string;
  apiKeyHash: string;
}

const API_KEY_PATTERN = /^pbb_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

/** Secrets are 256-bit random, so a plain SHA-256 is enough: there is nothing to brute-force offline. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function generateCredentials(): GeneratedCredentials {
  const apiKeyId = randomBytes(8).toString('hex');
  const apiKeySecret = randomBytes(32).toString('base64url');
  const clientSecret = randomBytes(32).toString('base64url');
  const apiKey = `pbb_${apiKeyId}_${apiKeySecret}`;
  return {
    clientId: `cl_${randomBytes(12).toString('hex')}`,
    clientSecret,
    apiKey,
    apiKeyId,
    callbackSecret: randomBytes(32).toString('base64url'),
    clientSecretHash: hashSecret(clientSecret),
    apiKeyHash: hashSecret(apiKey),
  };
}

/** Splits an X-API-Key into the ID used for lookup; undefined when it is not one of ours. */
export function apiKeyIdOf(apiKey: string): string | undefined {
  return API_KEY_PATTERN.exec(apiKey)?.[1];
}
