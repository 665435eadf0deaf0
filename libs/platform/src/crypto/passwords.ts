import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

type ScryptParams = { N: number; r: number; p: number; maxmem: number };
const scrypt = promisify(scryptCb) as (p: string, s: Buffer, n: number, o: ScryptParams) => Promise<Buffer>;

export interface PasswordHashOptions {
  /** log2 of scrypt's cost N: 14 (16 MiB, ~40 ms) or more; each step doubles time and memory. */
  logN: number;
}

const params = (logN: number): ScryptParams => ({ N: 2 ** logN, r: 8, p: 1, maxmem: 2 ** logN * 8 * 128 * 2 });

/**
 * A slow, salted hash. `scrypt$<salt>$<hash>` is the original form (N=2^14); `scrypt$ln=<logN>$<salt>$<hash>`
 * names its own cost, so the cost can be raised without invalidating stored hashes.
 */
export async function hashPassword(password: string, opts: PasswordHashOptions = { logN: 14 }): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, params(opts.logN));
  const b64 = (b: Buffer) => b.toString('base64');
  return opts.logN === 14 ? `scrypt$${b64(salt)}$${b64(hash)}` : `scrypt$ln=${opts.logN}$${b64(salt)}$${b64(hash)}`;
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return false;
  const costed = parts.length === 4 && /^ln=\d{2}$/.test(parts[1]);
  const logN = costed ? Number(parts[1].slice(3)) : 14;
  const [salt, hash] = costed ? parts.slice(2) : parts.slice(1);
  if (!salt || !hash || logN < 10 || logN > 20) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, params(logN));
  return timingSafeEqual(actual, expected);
}
