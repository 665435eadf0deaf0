import { AppException, ErrorCode } from '@app/platform';
import {
  CallbackUrlPolicy,
  HostResolutionError,
  HostResolver,
  isPublicAddress,
  matchesCallbackBase,
} from './url-policy';

/** DNS answers from a table, so the tests need no network. */
const fakeDns =
  (table: Record<string, string[]>): HostResolver =>
  async (host) => {
    const answer = table[host];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answer;
  };

const dns = fakeDns({
  'a.example': ['93.184.216.34'],
  'dual.example': ['93.184.216.34', '2606:2800:220:1::1'],
  'internal.example': ['10.1.2.3'],
  'mixed.example': ['93.184.216.34', '192.168.1.10'],
  'rebind.example': ['127.0.0.1'],
  'mapped.example': ['::ffff:10.0.0.1'],
  'empty.example': [],
});

async function refusal(p: Promise<unknown>): Promise<AppException> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppException);
  expect((err as AppException).code).toBe(ErrorCode.CALLBACK_URL_NOT_ALLOWED);
  return err as AppException;
}

describe('matchesCallbackBase', () => {
  const at = (u: string) => new URL(u);

  it('matches the base itself and paths below it on a segment boundary', () => {
    expect(matchesCallbackBase(at('https://a.example/cb'), 'https://a.example/cb')).toBe(true);
    expect(matchesCallbackBase(at('https://a.example/cb/'), 'https://a.example/cb')).toBe(true);
    expect(matchesCallbackBase(at('https://a.example/cb/x/y?z=1'), 'https://a.example/cb')).toBe(true);
    expect(matchesCallbackBase(at('https://a.example/cb/x'), 'https://a.example/cb/')).toBe(true);
  });

  it('does not match a longer segment, a look-alike host, or another scheme or port', () => {
    expect(matchesCallbackBase(at('https://a.example/cbx'), 'https://a.example/cb')).toBe(false);
    expect(matchesCallbackBase(at('https://a.example.evil.com/cb'), 'https://a.example/cb')).toBe(false);
    expect(matchesCallbackBase(at('https://evil.com/a.example/cb'), 'https://a.example/cb')).toBe(false);
    expect(matchesCallbackBase(at('http://a.example/cb'), 'https://a.example/cb')).toBe(false);
    expect(matchesCallbackBase(at('https://a.example:8443/cb'), 'https://a.example/cb')).toBe(false);
    expect(matchesCallbackBase(at('https://a.example/other'), 'https://a.example/cb')).toBe(false);
  });

  it('compares normalised URLs: host case, default port, dot segments', () => {
    expect(matchesCallbackBase(at('https://A.EXAMPLE:443/cb/x'), 'https://a.example/cb')).toBe(true);
    expect(matchesCallbackBase(at('https://a.example/cb/x'), 'HTTPS://a.example:443/cb')).toBe(true);
    expect(matchesCallbackBase(at('https://a.example/cb/../admin'), 'https://a.example/cb')).toBe(false);
    expect(matchesCallbackBase(at('https://a.example/cb/%2e%2e/admin'), 'https://a.example/cb')).toBe(false);
  });

  it('lets a root base cover the whole origin, and ignores unusable bases', () => {
    expect(matchesCallbackBase(at('https://a.example/anything'), 'https://a.example')).toBe(true);
    expect(matchesCallbackBase(at('https://a.example/cb'), 'not a url')).toBe(false);
    expect(matchesCallbackBase(at('https://a.example/cb'), 'ftp://a.example/cb')).toBe(false);
  });
});

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    'not-an-ip',
  ])('refuses %s', (ip) => expect(isPublicAddress(ip)).toBe(false));

  it.each(['93.184.216.34', '8.8.8.8', '2606:2800:220:1::1', '::ffff:93.184.216.34'])('accepts %s', (ip) =>
    expect(isPublicAddress(ip)).toBe(true),
  );
});

describe('CallbackUrlPolicy', () => {
  const bases = [
    'https://a.example/cb',
    'https://dual.example/hooks',
    'https://internal.example/',
    'https://mixed.example/',
    'https://rebind.example/',
    'https://mapped.example/',
    'https://empty.example/',
    'https://nxdomain.example/',
    'http://127.0.0.1:4010/cb',
    'http://[::1]:4010/cb',
    'http://10.0.0.5/cb',
  ];
  const strict = new CallbackUrlPolicy(dns, false);
  const lenient = new CallbackUrlPolicy(dns, true);

  it('accepts an http(s) URL under a registered base whose host resolves to public addresses', async () => {
    await expect(strict.check('https://a.example/cb/result?x=1', bases)).resolves.toBeInstanceOf(URL);
    await expect(strict.check('https://dual.example/hooks/v1', bases)).resolves.toBeInstanceOf(URL);
  });

  it('accepts only http and https, without credentials', async () => {
    for (const url of [
      'ftp://a.example/cb',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'a.example/cb',
      '',
      'https://user:pw@a.example/cb',
    ]) {
      await refusal(strict.check(url, bases));
    }
    await refusal(strict.check(`https://a.example/cb/${'x'.repeat(2100)}`, bases));
  });

  it('refuses URLs outside the registered bases, including look-alikes', async () => {
    for (const url of ['https://a.example/cbx', 'https://a.example.evil.com/cb', 'https://a.example/other']) {
      const err = await refusal(strict.check(url, bases));
      expect(err.message).toMatch(/callback base/);
    }
    await refusal(strict.check('https://a.example/cb', []));
  });

  it('refuses hosts that resolve to private, loopback or mapped-private addresses, if any address is', async () => {
    for (const host of ['internal.example', 'mixed.example', 'rebind.example', 'mapped.example']) {
      const err = await refusal(strict.check(`https://${host}/x`, bases));
      expect(err.message).toMatch(/non-public/);
    }
  });

  it('refuses literal private and loopback IPs without asking DNS', async () => {
    const resolver = jest.fn(dns);
    const policy = new CallbackUrlPolicy(resolver, false);
    for (const url of ['http://127.0.0.1:4010/cb/x', 'http://[::1]:4010/cb/x', 'http://10.0.0.5/cb']) {
      await refusal(policy.check(url, bases));
      expect(() => policy.checkStatic(url, bases)).toThrow(AppException);
    }
    expect(resolver).not.toHaveBeenCalled();
  });

  it('reports unresolvable hosts as a (retryable) resolution error', async () => {
    await expect(strict.check('https://nxdomain.example/x', bases)).rejects.toBeInstanceOf(
      HostResolutionError,
    );
    await expect(strict.check('https://empty.example/x', bases)).rejects.toBeInstanceOf(HostResolutionError);
  });

  it('allows private and loopback targets when configured, but still enforces scheme and bases', async () => {
    await expect(lenient.check('http://127.0.0.1:4010/cb/x', bases)).resolves.toBeInstanceOf(URL);
    await expect(lenient.check('http://[::1]:4010/cb', bases)).resolves.toBeInstanceOf(URL);
    await expect(lenient.check('https://internal.example/x', bases)).resolves.toBeInstanceOf(URL);
    await refusal(lenient.check('http://127.0.0.1:4010/cbx', bases));
    await refusal(lenient.check('ftp://127.0.0.1:4010/cb', bases));
  });
});
