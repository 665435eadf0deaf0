import type { Request } from 'express';

export const SESSION_COOKIE = 'pbb_console';

/** The console session token from the Cookie header, if any (no cookie library for one cookie). */
export function sessionTokenOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * HttpOnly (scripts cannot read it), SameSite=Strict (no other site's page can make the browser send it),
 * Secure where configured. Max-Age 0 clears it.
 */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];
export const isUnsafeMethod = (method: string): boolean => !SAFE_METHODS.includes(method.toUpperCase());
