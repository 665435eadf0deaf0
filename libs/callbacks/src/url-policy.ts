import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { AppException, ErrorCode } from '@app/platform';

/** Longer URLs are refused; the column has the same limit. */
export const MAX_URL_LENGTH = 2048;

/** Returns every address a host name resolves to; injectable so tests need no DNS. */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const systemHostResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

function refuse(message: string): AppException {
  return new AppException(ErrorCode.CALLBACK_URL_NOT_ALLOWED, message);
}

/** The host name did not resolve: unlike the other refusals this may be temporary, so a sender retries it. */
export class HostResolutionError extends AppException {
  constructor() {
    super(ErrorCode.CALLBACK_URL_NOT_ALLOWED, 'Callback URL host name could not be resolved');
  }
}

/** Parses a callback URL or base; undefined unless it is an absolute http(s) URL without credentials. */
function parseHttpUrl(raw: string): URL | undefined {
  if (raw.length > MAX_URL_LENGTH) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  return url;
}

/**
 * True when `url` lies under `base`: same scheme, host and port (WHATWG URL parsing already lower-cases the host,
 * drops default ports and resolves dot segments), and the base path is a prefix ending on a segment boundary,
 * so `/cb` covers `/cb` and `/cb/x` but not `/cbx`.
 */
export function matchesCallbackBase(url: URL, base: string): boolean {
  const b = parseHttpUrl(base);
  if (!b) return false;
  if (url.protocol !== b.protocol || url.hostname !== b.hostname || url.port !== b.port) return false;
  const basePath = b.pathname.replace(/\/+$/, '');
  return basePath === '' || url.pathname === basePath || url.pathname.startsWith(`${basePath}/`);
}

/**
 * Only ordinary global unicast addresses are public. Everything else ipaddr.js names — loopback, private,
 * link-local, unique-local, unspecified, CGNAT, multicast, reserved, NAT64/6to4/Teredo tunnels that can embed
 * a private IPv4 — is refused. IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it maps to.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** The callback URL rules; one instance per process, reused for every check. */
export class CallbackUrlPolicy {
  constructor(
    private readonly resolve: HostResolver,
    private readonly allowPrivateTargets: boolean,
  ) {}

  /** Scheme, base and literal-IP checks: no network, so it is safe inside a database transaction. */
  checkStatic(raw: string, bases: readonly string[]): URL {
    const url = parseHttpUrl(raw);
    if (!url)
      throw refuse(
        `Callback URL must be an absolute http or https URL without credentials, at most ${MAX_URL_LENGTH} characters`,
      );
    if (!bases.some((b) => matchesCallbackBase(url, b)))
      throw refuse('Callback URL does not start with any callback base registered for this client');
    const host = literalIp(url);
    if (host && !this.allowPrivateTargets && !isPublicAddress(host))
      throw refuse('Callback URL points to a private, loopback or otherwise non-public address');
    return url;
  }

  /** checkStatic plus DNS: every address the host resolves to must be public (unless private targets are allowed). */
  async check(raw: string, bases: readonly string[]): Promise<URL> {
    const url = this.checkStatic(raw, bases);
    await this.checkResolvedAddresses(url);
    return url;
  }

  /** Throws HostResolutionError when DNS gives no answer, a refusal when any answer is not public. */
  async checkResolvedAddresses(url: URL): Promise<void> {
    if (this.allowPrivateTargets || literalIp(url)) return;
    let addresses: string[];
    try {
      addresses = await this.resolve(url.hostname);
    } catch {
      throw new HostResolutionError();
    }
    if (addresses.length === 0) throw new HostResolutionError();
    if (!addresses.every(isPublicAddress))
      throw refuse('Callback URL host resolves to a private, loopback or otherwise non-public address');
  }
}

/** The host as an IP address when the URL names one directly ([::1] loses its brackets), else undefined. */
function literalIp(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return ipaddr.isValid(host) ? host : undefined;
}
