import { createHmac } from 'node:crypto';
import { signCallback, verifyCallbackSignature } from './signature';

describe('callback signatures', () => {
  const secret = 'a-per-client-callback-secret';
  const body = JSON.stringify({ requestId: 'R1', status: 'completed', amount: '10.00' });
  const t = 1_763_800_000;

  it('signs "<t>.<body>" with HMAC-SHA256 and puts t and v1 in the header', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signCallback(secret, t, body)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies its own signature within the tolerance', () => {
    const header = signCallback(secret, t, body);
    expect(verifyCallbackSignature(secret, header, body, 300, t)).toBe(true);
    expect(verifyCallbackSignature(secret, header, body, 300, t + 299)).toBe(true);
    expect(verifyCallbackSignature(secret, header, body, 300, t - 300)).toBe(true);
  });

  it('rejects a tampered body, a wrong secret, or a tampered timestamp', () => {
    const header = signCallback(secret, t, body);
    expect(verifyCallbackSignature(secret, header, body.replace('10.00', '1000.00'), 300, t)).toBe(false);
    expect(verifyCallbackSignature('another-secret', header, body, 300, t)).toBe(false);
    expect(verifyCallbackSignature(secret, header.replace(`t=${t}`, `t=${t + 1}`), body, 300, t)).toBe(false);
  });

  it('rejects a signature that is too old or from too far in the future (replay)', () => {
    const header = signCallback(secret, t, body);
    expect(verifyCallbackSignature(secret, header, body, 300, t + 301)).toBe(false);
    expect(verifyCallbackSignature(secret, header, body, 300, t - 301)).toBe(false);
  });

  it('rejects missing and malformed headers', () => {
    for (const header of [
      undefined,
      null,
      '',
      'garbage',
      `t=${t}`,
      'v1=abc',
      `t=x,v1=${'0'.repeat(64)}`,
      `t=${t},v1=zz`,
    ]) {
      expect(verifyCallbackSignature(secret, header, body, 300, t)).toBe(false);
    }
  });

  it('accepts the header when any of several v1 values matches (secret rotation)', () => {
    const good = signCallback(secret, t, body).split(',')[1];
    expect(verifyCallbackSignature(secret, `t=${t},v1=${'0'.repeat(64)},${good}`, body, 300, t)).toBe(true);
  });

  it('uses the current time when none is given', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verifyCallbackSignature(secret, signCallback(secret, now, body), body)).toBe(true);
    expect(verifyCallbackSignature(secret, signCallback(secret, now - 3600, body), body)).toBe(false);
  });
});
