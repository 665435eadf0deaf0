import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type JsonWebKey,
} from 'node:crypto';

/**
 * JWE compact serialization (RFC 7516), one suite only: RSA-OAEP-256 key wrap + A256GCM content encryption.
 * Used to exchange encrypted JSON files (batch voucher activation) with partner building blocks.
 * One suite on purpose: no algorithm negotiation means no downgrade (RSA1_5, `none`-style tricks).
 */

/** Every refusal: malformed input, unsupported header, wrong key, tampering. Messages stay deliberately vague. */
export class JweError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JweError';
  }
}

export interface JweHeader {
  alg: 'RSA-OAEP-256';
  enc: 'A256GCM';
  kid?: string;
  cty?: string;
  typ?: string;
}

const ALG = 'RSA-OAEP-256';
const ENC = 'A256GCM';
const CEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MIN_RSA_BITS = 2048;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
const OPTIONAL_STRING_MEMBERS = ['kid', 'cty', 'typ'] as const;

const oaep = (key: KeyObject) => ({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' });

const b64u = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** Node's base64url decoder silently skips junk; insisting on the canonical spelling rejects it instead. */
function fromB64u(part: string): Buffer {
  const data = Buffer.from(part, 'base64url');
  if (data.toString('base64url') !== part) throw new JweError('Malformed JWE');
  return data;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function assertRsa(key: unknown, type: 'public' | 'private', message: string): asserts key is KeyObject {
  if (
    !(key instanceof KeyObject) ||
    key.type !== type ||
    key.asymmetricKeyType !== 'rsa' ||
    (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS
  ) {
    throw new JweError(message);
  }
}

/** Validates a partner's public key given as a JWK and returns it as a KeyObject. */
export function publicKeyFromJwk(jwk: unknown): KeyObject {
  if (!isRecord(jwk) || jwk.kty !== 'RSA') throw new JweError('JWK is not an RSA key');
  // A partner sending us its private key is an incident, not something to use quietly.
  if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) throw new JweError('JWK contains private key material');
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') throw new JweError('JWK lacks n or e');
  if (jwk.use !== undefined && jwk.use !== 'enc') throw new JweError('JWK is not an encryption key');
  if (jwk.alg !== undefined && jwk.alg !== ALG) throw new JweError('JWK is for another algorithm');
  let key: KeyObject;
  try {
    fromB64u(jwk.n);
    fromB64u(jwk.e);
    key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
  } catch {
    throw new JweError('Invalid RSA JWK');
  }
  assertRsa(key, 'public', `RSA key must be at least ${MIN_RSA_BITS} bits`);
  // OpenSSL happily imports e = 1 (encryption becomes the identity) or an even e; refuse both.
  const e = key.asymmetricKeyDetails?.publicExponent ?? 0n;
  if (e < 3n || e % 2n === 0n) throw new JweError('Invalid RSA public exponent');
  return key;
}

/** The public JWK of a key (pair), to hand to partners. */
export function publicJwkOf(
  key: KeyObject,
  kid?: string,
): JsonWebKey & { kid?: string; alg: string; use: string } {
  const pub = key instanceof KeyObject && key.type === 'private' ? createPublicKey(key) : key;
  assertRsa(pub, 'public', `Not an RSA key of at least ${MIN_RSA_BITS} bits`);
  const { kty, n, e } = pub.export({ format: 'jwk' });
  return { kty, n, e, ...(kid !== undefined && { kid }), alg: ALG, use: 'enc' };
}

/** Loads an RSA private key (PKCS#8 or PKCS#1 PEM) of at least 2048 bits. */
export function privateKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    if (typeof pem !== 'string') throw new TypeError();
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new JweError('Not a private key PEM');
  }
  assertRsa(key, 'private', `Not an RSA private key of at least ${MIN_RSA_BITS} bits`);
  return key;
}

/** Encrypts to a compact JWE. A fresh CEK and IV every call, so no (key, IV) pair is ever reused. */
export function encryptJwe(
  plaintext: string | Buffer,
  recipient: KeyObject,
  options: { kid?: string; cty?: string; typ?: string } = {},
): string {
  const pub =
    recipient instanceof KeyObject && recipient.type === 'private' ? createPublicKey(recipient) : recipient;
  assertRsa(pub, 'public', `Recipient must be an RSA key of at least ${MIN_RSA_BITS} bits`);
  for (const m of OPTIONAL_STRING_MEMBERS) {
    if (options[m] !== undefined && typeof options[m] !== 'string')
      throw new JweError(`JWE ${m} must be a string`);
  }
  // JSON.stringify drops the undefined members.
  const header: JweHeader = { alg: ALG, enc: ENC, kid: options.kid, cty: options.cty, typ: options.typ };
  const protectedB64 = b64u(JSON.stringify(header));
  const cek = randomBytes(CEK_BYTES);
  const iv = randomBytes(IV_BYTES);
  const encryptedKey = publicEncrypt(oaep(pub), cek);
  const cipher = createCipheriv('aes-256-gcm', cek, iv, { authTagLength: TAG_BYTES });
  // RFC 7516 §5.1 step 14: the AAD is the ASCII of the *encoded* protected header, not the JSON.
  cipher.setAAD(Buffer.from(protectedB64, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [protectedB64, b64u(encryptedKey), b64u(iv), b64u(ciphertext), b64u(cipher.getAuthTag())].join('.');
}

function parseHeader(part: string): JweHeader {
  let header: unknown;
  try {
    // fatal: invalid UTF-8 is an error rather than U+FFFD (RFC 7516 §5.2 step 3).
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromB64u(part)));
  } catch {
    throw new JweError('Malformed JWE header');
  }
  if (!isRecord(header)) throw new JweError('Malformed JWE header');
  if (header.alg !== ALG || header.enc !== ENC) throw new JweError('Unsupported JWE algorithm');
  // We implement no compression and no extensions; `crit` means "fail if you do not understand".
  if ('zip' in header || 'crit' in header) throw new JweError('Unsupported JWE header');
  for (const m of OPTIONAL_STRING_MEMBERS) {
    if (m in header && typeof header[m] !== 'string') throw new JweError('Malformed JWE header');
  }
  return header as unknown as JweHeader;
}

/** Decrypts and authenticates a compact JWE; returns the plaintext and the (full) protected header. */
export function decryptJwe(
  compact: string,
  key: KeyObject,
  options: { maxBytes?: number } = {},
): { plaintext: Buffer; header: JweHeader } {
  assertRsa(key, 'private', `Decryption key must be an RSA private key of at least ${MIN_RSA_BITS} bits`);
  if (typeof compact !== 'string') throw new JweError('Malformed JWE');
  // Before any parsing: a cap on memory/CPU spent on hostile input.
  if (compact.length > (options.maxBytes ?? DEFAULT_MAX_BYTES)) throw new JweError('JWE too large');
  const parts = compact.split('.');
  if (parts.length !== 5) throw new JweError('Malformed JWE');
  const [protectedB64, encryptedKeyB64, ivB64, ciphertextB64, tagB64] = parts;
  const header = parseHeader(protectedB64);
  const encryptedKey = fromB64u(encryptedKeyB64);
  const iv = fromB64u(ivB64);
  const ciphertext = fromB64u(ciphertextB64);
  const tag = fromB64u(tagB64);
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new JweError('Malformed JWE');

  // RFC 7516 §11.5: a failed key unwrap must look exactly like a failed tag check, or the difference is an
  // oracle on RSA (Manger's attack). So on unwrap failure we carry on with a random CEK and let GCM fail.
  let cek: Buffer;
  try {
    cek = privateDecrypt(oaep(key), encryptedKey);
    if (cek.length !== CEK_BYTES) cek = randomBytes(CEK_BYTES);
  } catch {
    cek = randomBytes(CEK_BYTES);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', cek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(protectedB64, 'ascii'));
    decipher.setAuthTag(tag);
    return { plaintext: Buffer.concat([decipher.update(ciphertext), decipher.final()]), header };
  } catch {
    throw new JweError('JWE decryption failed');
  }
}
