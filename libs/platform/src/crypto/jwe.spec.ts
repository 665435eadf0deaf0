import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { decryptJwe, encryptJwe, JweError, privateKeyFromPem, publicJwkOf, publicKeyFromJwk } from './jwe';

/*
 * Reference implementation, written straight from RFC 7516 §5.1/§5.2 on node:crypto primitives and kept
 * independent of jwe.ts on purpose: the interop tests check jwe.ts against it in both directions.
 */
const b64u = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const unb64u = (part: string) => Buffer.from(part, 'base64url');

function handEncrypt(
  header: object,
  plaintext: Buffer,
  recipient: KeyObject,
  cek = randomBytes(32),
  iv = randomBytes(12),
  oaepHash = 'sha256',
): string {
  const protectedB64 = b64u(JSON.stringify(header));
  const encryptedKey = publicEncrypt(
    { key: recipient, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
    cek,
  );
  const cipher = createCipheriv('aes-256-gcm', cek, iv);
  cipher.setAAD(Buffer.from(protectedB64, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [protectedB64, b64u(encryptedKey), b64u(iv), b64u(ciphertext), b64u(cipher.getAuthTag())].join('.');
}

function handDecrypt(
  compact: string,
  key: KeyObject,
  oaepHash = 'sha256',
): { header: unknown; plaintext: Buffer } {
  const [protectedB64, encryptedKey, iv, ciphertext, tag] = compact.split('.');
  const cek = privateDecrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
    unb64u(encryptedKey),
  );
  const decipher = createDecipheriv('aes-256-gcm', cek, unb64u(iv));
  decipher.setAAD(Buffer.from(protectedB64, 'ascii'));
  decipher.setAuthTag(unb64u(tag));
  const plaintext = Buffer.concat([decipher.update(unb64u(ciphertext)), decipher.final()]);
  return { header: JSON.parse(unb64u(protectedB64).toString('utf8')), plaintext };
}

/** XORs one byte of the decoded part `index` (0 = protected header ... 4 = tag) and re-encodes it. */
function tamper(compact: string, index: number, offset = 0): string {
  const parts = compact.split('.');
  const data = unb64u(parts[index]);
  data[offset] ^= 0x01;
  parts[index] = b64u(data);
  return parts.join('.');
}

/** Replaces part `index` with the given bytes. */
function replacePart(compact: string, index: number, data: Buffer | string): string {
  const parts = compact.split('.');
  parts[index] = b64u(data);
  return parts.join('.');
}

/*
 * RFC 7516 Appendix A.1: RSA-OAEP (SHA-1) + A256GCM. Its alg is not ours, so it checks the reference
 * implementation against the RFC's own numbers, and that decryptJwe refuses the SHA-1 variant.
 */
const RFC_A1_PLAINTEXT = 'The true sign of intelligence is not knowledge but imagination.';
const RFC_A1_COMPACT =
  'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.' +
  'OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGeipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb' +
  '23nfa6c9d-StnImGyFDbSv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaVmqgfwX7XWRxv2322i-vDxRfq' +
  'Nzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je81860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi6Ukl' +
  'fCpIMfIjf7iGdXKHzg.' +
  '48V1_ALb6US04U3b.' +
  '5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.' +
  'XFBoMYUZodetZdvTiFvSkQ';
const RFC_A1_JWK = {
  kty: 'RSA',
  n:
    'oahUIoWw0K0usKNuOR6H4wkf4oBUXHTxRvgb48E-BVvxkeDNjbC4he8rUWcJoZmds2h7M70imEVhRU5djINXtqllXI4DFqcI1DgjT9Lew' +
    'ND8MW2Krf3Spsk_ZkoFnilakGygTwpZ3uesH-PFABNIUYpOiN15dsQRkgr0vEhxN92i2asbOenSZeyaxziK72UwxrrKoExv6kc5twXTq4h-Q' +
    'ChLOln0_mtUZwfsRaMStPs6mS6XrgxnxbWhojf663tuEQueGC-FCMfra36C9knDFGzKsNa7LZK2djYgyD3JR_MB_4NUJW_TqOQtwHYbxevoJ' +
    'Arm-L5StowjzGy-_bq6Gw',
  e: 'AQAB',
  d:
    'kLdtIj6GbDks_ApCSTYQtelcNttlKiOyPzMrXHeI-yk1F7-kpDxY4-WY5NWV5KntaEeXS1j82E375xxhWMHXyvjYecPT9fpwR_M9gV8n9Hr' +
    'h2anTpTD93Dt62ypW3yDsJzBnTnrYu1iwWRgBKrEYY46qAZIrA2xAwnm2X7uGR1hghkqDp0Vqj3kbSCz1XyfCs6_LehBwtxHIyh8Ripy40p2' +
    '4moOAbgxVw3rxT_vlt3UVe4WO3JkJOzlpUf-KTVI2Ptgm-dARxTEtE-id-4OJr0h-K-VFs3VSndVTIznSxfyrj8ILL6MG_Uv8YAu7VILSB3l' +
    'OW085-4qE3DzgrTjgyQ',
  p:
    '1r52Xk46c-LsfB5P442p7atdPUrxQSy4mti_tZI3Mgf2EuFVbUoDBvaRQ-SWxkbkmoEzL7JXroSBjSrK3YIQgYdMgyAEPTPjXv_hI2_1eTS' +
    'PVZfzL0lffNn03IXqWF5MDFuoUYE0hzb2vhrlN_rKrbfDIwUbTrjjgieRbwC6Cl0',
  q:
    'wLb35x7hmQWZsWJmB_vle87ihgZ19S8lBEROLIsZG4ayZVe9Hi9gDVCOBmUDdaDYVTSNx_8Fyw1YYa9XGrGnDew00J28cRUoeBB_jKI1oma' +
    '0Orv1T9aXIWxKwd4gvxFImOWr3QRL9KEBRzk2RatUBnmDZJTIAfwTs0g68UZHvtc',
  dp:
    'ZK-YwE7diUh0qR1tR7w8WHtolDx3MZ_OTowiFvgfeQ3SiresXjm9gZ5KLhMXvo-uz-KUJWDxS5pFQ_M0evdo1dKiRTjVw_x4NyqyXPM5nUL' +
    'PkcpU827rnpZzAJKpdhWAgqrXGKAECQH0Xt4taznjnd_zVpAmZZq60WPMBMfKcuE',
  dq:
    'Dq0gfgJ1DdFGXiLvQEZnuKEN0UUmsJBxkjydc3j4ZYdBiMRAy86x0vHCjywcMlYYg4yoC4YZa9hNVcsjqA3FeiL19rk8g6Qn29Tt0cj8qqy' +
    'Fpz9vNDBUfCAiJVeESOjJDZPYHdHY8v1b-o-Z2X5tvLx-TCekf7oxyeKDUqKWjis',
  qi:
    'VIMpMYbPf47dT1w_zDUXfPimsSegnMOA1zTaX7aGk_8urY6R8-ZW1FxU7AlWAyLWybqq6t16VFd7hQd0y6flUK4SlOydB61gwanOsXGOAOv' +
    '82cHq0E3eL4HrtZkUuKvnPrMnsUUFlfUdybVzxyjz9JF_XyaY14ardLSjf4L_FNY',
};

describe('JWE (RSA-OAEP-256 + A256GCM)', () => {
  let pub: KeyObject;
  let priv: KeyObject;
  let otherPriv: KeyObject;
  let small: { publicKey: KeyObject; privateKey: KeyObject };
  let ec: { publicKey: KeyObject; privateKey: KeyObject };

  beforeAll(() => {
    ({ publicKey: pub, privateKey: priv } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
    otherPriv = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  });

  const refuses = (fn: () => unknown, message?: string | RegExp) => {
    expect(fn).toThrow(JweError);
    if (message) expect(fn).toThrow(message);
  };

  describe('round trip', () => {
    it('encrypts and decrypts a string', () => {
      const json = JSON.stringify({ batch: 'B-1', vouchers: ['V1', 'V2'], note: 'Jürgen ✓' });
      const compact = encryptJwe(json, pub);
      expect(compact.split('.')).toHaveLength(5);
      expect(compact).toMatch(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){4}$/);
      const { plaintext, header } = decryptJwe(compact, priv);
      expect(plaintext.toString('utf8')).toBe(json);
      expect(header).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM' });
    });

    it('encrypts and decrypts a 1 MB Buffer', () => {
      const data = randomBytes(1024 * 1024);
      expect(decryptJwe(encryptJwe(data, pub), priv).plaintext.equals(data)).toBe(true);
    });

    it('handles an empty plaintext', () => {
      expect(decryptJwe(encryptJwe('', pub), priv).plaintext).toHaveLength(0);
    });

    it('uses a fresh CEK and 96-bit IV each call, with a 128-bit tag', () => {
      const [a, b] = [encryptJwe('same', pub), encryptJwe('same', pub)].map((c) => c.split('.'));
      expect(a[1]).not.toBe(b[1]);
      expect(a[2]).not.toBe(b[2]);
      expect(a[3]).not.toBe(b[3]);
      expect(unb64u(a[2])).toHaveLength(12);
      expect(unb64u(a[4])).toHaveLength(16);
      expect(unb64u(a[1])).toHaveLength(256);
    });

    it('carries kid, cty and typ in the protected header', () => {
      const compact = encryptJwe('{}', pub, { kid: 'partner-2024', cty: 'application/json', typ: 'JOSE' });
      const expected = {
        alg: 'RSA-OAEP-256',
        enc: 'A256GCM',
        kid: 'partner-2024',
        cty: 'application/json',
        typ: 'JOSE',
      };
      expect(JSON.parse(unb64u(compact.split('.')[0]).toString())).toEqual(expected);
      expect(decryptJwe(compact, priv).header).toEqual(expected);
    });

    it('accepts the private key as recipient (its public half is used)', () => {
      expect(decryptJwe(encryptJwe('x', priv), priv).plaintext.toString()).toBe('x');
    });
  });

  describe('RFC 7516 interoperability', () => {
    it('the reference implementation reproduces RFC 7516 Appendix A.1', () => {
      const rfcKey = createPrivateKey({ key: RFC_A1_JWK, format: 'jwk' });
      const { header, plaintext } = handDecrypt(RFC_A1_COMPACT, rfcKey, 'sha1');
      expect(header).toEqual({ alg: 'RSA-OAEP', enc: 'A256GCM' });
      expect(plaintext.toString()).toBe(RFC_A1_PLAINTEXT);
      // ...and decryptJwe will not take the SHA-1 variant.
      refuses(() => decryptJwe(RFC_A1_COMPACT, rfcKey), 'Unsupported JWE algorithm');
    });

    it('decrypts a JWE built by hand, including extra header members', () => {
      const header = { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'k-9', x5t: 'ignored' };
      const compact = handEncrypt(header, Buffer.from('{"activate":["V1"]}'), pub);
      const out = decryptJwe(compact, priv);
      expect(out.plaintext.toString()).toBe('{"activate":["V1"]}');
      expect(out.header).toEqual(header);
    });

    it('decrypts a hand-built JWE with a known CEK and IV', () => {
      const cek = Buffer.alloc(32, 7);
      const iv = Buffer.from('000102030405060708090a0b', 'hex');
      const compact = handEncrypt(
        { enc: 'A256GCM', alg: 'RSA-OAEP-256' },
        Buffer.from('hello'),
        pub,
        cek,
        iv,
      );
      expect(decryptJwe(compact, priv).plaintext.toString()).toBe('hello');
    });

    it('produces a JWE the reference implementation decrypts', () => {
      const data = randomBytes(4096);
      const { header, plaintext } = handDecrypt(encryptJwe(data, pub, { kid: 'k1' }), priv);
      expect(header).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'k1' });
      expect(plaintext.equals(data)).toBe(true);
    });
  });

  describe('refusals', () => {
    let good: string;
    beforeAll(() => {
      good = encryptJwe('{"vouchers":["V1","V2","V3"]}', pub, { kid: 'a' });
    });

    it('the wrong key', () => {
      refuses(() => decryptJwe(good, otherPriv), 'JWE decryption failed');
    });

    it.each([
      ['protected header', 0, 5],
      ['encrypted key', 1, 100],
      ['iv', 2, 3],
      ['ciphertext', 3, 0],
      ['tag', 4, 15],
    ])('a flipped byte in the %s', (_name, index, offset) => {
      refuses(() => decryptJwe(tamper(good, index, offset), priv));
    });

    it('looks the same whether the key unwrap or the tag check fails', () => {
      refuses(() => decryptJwe(tamper(good, 1, 100), priv), 'JWE decryption failed');
      refuses(() => decryptJwe(tamper(good, 4, 0), priv), 'JWE decryption failed');
      refuses(() => decryptJwe(replacePart(good, 1, Buffer.alloc(0)), priv), 'JWE decryption failed');
    });

    it('a valid but different protected header (it is the AAD)', () => {
      const swapped = replacePart(good, 0, JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'b' }));
      refuses(() => decryptJwe(swapped, priv), 'JWE decryption failed');
    });

    it('4 or 6 parts, empty input, non-base64url parts', () => {
      const parts = good.split('.');
      refuses(() => decryptJwe(parts.slice(0, 4).join('.'), priv), 'Malformed JWE');
      refuses(() => decryptJwe([...parts, parts[4]].join('.'), priv), 'Malformed JWE');
      refuses(() => decryptJwe('', priv), 'Malformed JWE');
      refuses(() => decryptJwe(good.replace('.', '.*'), priv), 'Malformed JWE');
      refuses(() => decryptJwe(`${good}=`, priv), 'Malformed JWE');
      refuses(() => decryptJwe(undefined as unknown as string, priv), 'Malformed JWE');
    });

    it('a header that is not a JSON object', () => {
      refuses(() => decryptJwe(replacePart(good, 0, 'not json'), priv), 'Malformed JWE header');
      refuses(() => decryptJwe(replacePart(good, 0, '["RSA-OAEP-256"]'), priv), 'Malformed JWE header');
      refuses(
        () => decryptJwe(replacePart(good, 0, Buffer.from([0x7b, 0xff, 0x7d])), priv),
        'Malformed JWE header',
      );
      const numericKid = { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 7 };
      refuses(() => decryptJwe(handEncrypt(numericKid, Buffer.from('x'), pub), priv), 'Malformed JWE header');
    });

    it.each([
      ['alg RSA1_5', { alg: 'RSA1_5', enc: 'A256GCM' }],
      ['alg RSA-OAEP', { alg: 'RSA-OAEP', enc: 'A256GCM' }],
      ['alg dir', { alg: 'dir', enc: 'A256GCM' }],
      ['enc A128CBC-HS256', { alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256' }],
      ['enc A128GCM', { alg: 'RSA-OAEP-256', enc: 'A128GCM' }],
      ['no enc', { alg: 'RSA-OAEP-256' }],
      ['zip DEF', { alg: 'RSA-OAEP-256', enc: 'A256GCM', zip: 'DEF' }],
      ['crit', { alg: 'RSA-OAEP-256', enc: 'A256GCM', crit: ['exp'], exp: 1 }],
    ])('%s', (_name, header) => {
      // Properly encrypted and authenticated: only the header is objectionable.
      const compact = handEncrypt(header, Buffer.from('{}'), pub);
      refuses(() => decryptJwe(compact, priv), /^Unsupported JWE (algorithm|header)$/);
    });

    it('wrong IV or tag lengths', () => {
      refuses(() => decryptJwe(replacePart(good, 2, randomBytes(16)), priv), 'Malformed JWE');
      refuses(
        () => decryptJwe(replacePart(good, 4, unb64u(good.split('.')[4]).subarray(0, 12)), priv),
        'Malformed JWE',
      );
      const shortIv = handEncrypt(
        { alg: 'RSA-OAEP-256', enc: 'A256GCM' },
        Buffer.from('x'),
        pub,
        undefined,
        randomBytes(8),
      );
      refuses(() => decryptJwe(shortIv, priv), 'Malformed JWE');
    });

    it('oversize input, by default (16 MiB) and with maxBytes', () => {
      refuses(() => decryptJwe('a'.repeat(16 * 1024 * 1024 + 1), priv), 'JWE too large');
      refuses(() => decryptJwe(good, priv, { maxBytes: good.length - 1 }), 'JWE too large');
      expect(decryptJwe(good, priv, { maxBytes: good.length }).plaintext.length).toBeGreaterThan(0);
    });

    it('unsuitable keys for decryption and encryption', () => {
      refuses(() => decryptJwe(good, pub));
      refuses(() => decryptJwe(good, small.privateKey));
      refuses(() => decryptJwe(good, ec.privateKey));
      refuses(() => encryptJwe('x', small.publicKey));
      refuses(() => encryptJwe('x', ec.publicKey));
      refuses(() => encryptJwe('x', pub, { kid: 1 as unknown as string }));
    });
  });

  describe('keys', () => {
    it('publicJwkOf gives a public JWK that publicKeyFromJwk accepts', () => {
      const jwk = publicJwkOf(priv, 'k1');
      expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(jwk).toMatchObject({ kty: 'RSA', e: 'AQAB', kid: 'k1', alg: 'RSA-OAEP-256', use: 'enc' });
      expect(publicJwkOf(pub)).toEqual({ kty: 'RSA', n: jwk.n, e: 'AQAB', alg: 'RSA-OAEP-256', use: 'enc' });
      const key = publicKeyFromJwk(JSON.parse(JSON.stringify(jwk)));
      expect(key.type).toBe('public');
      expect(decryptJwe(encryptJwe('via jwk', key), priv).plaintext.toString()).toBe('via jwk');
      refuses(() => publicJwkOf(small.privateKey));
      refuses(() => publicJwkOf(ec.publicKey));
    });

    it('publicKeyFromJwk refuses private JWKs', () => {
      const full = priv.export({ format: 'jwk' });
      refuses(() => publicKeyFromJwk(full), 'JWK contains private key material');
      for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
        refuses(() => publicKeyFromJwk({ ...publicJwkOf(pub), [m]: full[m as keyof typeof full] }));
      }
    });

    it('publicKeyFromJwk refuses 1024-bit, EC, weak-exponent and garbage keys', () => {
      refuses(() => publicKeyFromJwk(small.publicKey.export({ format: 'jwk' })), /at least 2048 bits/);
      refuses(() => publicKeyFromJwk(ec.publicKey.export({ format: 'jwk' })), 'JWK is not an RSA key');
      const { n } = publicJwkOf(pub);
      refuses(() => publicKeyFromJwk({ kty: 'RSA', n, e: 'AQ' }), 'Invalid RSA public exponent'); // e = 1
      refuses(() => publicKeyFromJwk({ kty: 'RSA', n, e: 'Ag' }), 'Invalid RSA public exponent'); // e = 2
      refuses(() => publicKeyFromJwk({ kty: 'RSA', n }), 'JWK lacks n or e');
      refuses(() => publicKeyFromJwk({ kty: 'RSA', n: `${n}!`, e: 'AQAB' }), 'Invalid RSA JWK');
      refuses(() => publicKeyFromJwk({ kty: 'RSA', n: 'garbage', e: 'AQAB' }));
      refuses(
        () => publicKeyFromJwk({ kty: 'RSA', n, e: 'AQAB', use: 'sig' }),
        'JWK is not an encryption key',
      );
      refuses(
        () => publicKeyFromJwk({ kty: 'RSA', n, e: 'AQAB', alg: 'RSA1_5' }),
        'JWK is for another algorithm',
      );
      for (const garbage of [null, undefined, 'RSA', 42, [], {}, { kty: 'oct', k: 'AAAA' }]) {
        refuses(() => publicKeyFromJwk(garbage));
      }
    });

    it('privateKeyFromPem loads PKCS#8 and PKCS#1', () => {
      const pkcs8 = priv.export({ format: 'pem', type: 'pkcs8' }) as string;
      const pkcs1 = priv.export({ format: 'pem', type: 'pkcs1' }) as string;
      for (const pem of [pkcs8, pkcs1]) {
        const key = privateKeyFromPem(pem);
        expect(key.type).toBe('private');
        expect(decryptJwe(encryptJwe('pem', pub), key).plaintext.toString()).toBe('pem');
      }
    });

    it('privateKeyFromPem refuses public, small, EC, encrypted and garbage PEMs', () => {
      refuses(
        () => privateKeyFromPem(pub.export({ format: 'pem', type: 'spki' }) as string),
        'Not a private key PEM',
      );
      refuses(
        () => privateKeyFromPem(pub.export({ format: 'pem', type: 'pkcs1' }) as string),
        'Not a private key PEM',
      );
      refuses(() => privateKeyFromPem(small.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string));
      refuses(() => privateKeyFromPem(ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string));
      const encrypted = priv.export({
        format: 'pem',
        type: 'pkcs8',
        cipher: 'aes-256-cbc',
        passphrase: 'pw',
      });
      refuses(() => privateKeyFromPem(encrypted as string), 'Not a private key PEM');
      for (const garbage of [
        '',
        'garbage',
        '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      ]) {
        refuses(() => privateKeyFromPem(garbage), 'Not a private key PEM');
      }
      refuses(() => privateKeyFromPem(undefined as unknown as string), 'Not a private key PEM');
    });
  });
});
