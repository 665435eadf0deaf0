import { useEffect, useState } from 'react';

/** Hash routing: `#/batches/abc?tab=x`. The server only ever serves /console/. */
export interface Route {
  path: string;
  query: URLSearchParams;
  /** The whole route, `path?query`, as navigate() takes it. */
  full: string;
}

export function currentRoute(): Route {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?', 2);
  return { path: path || '/', query: new URLSearchParams(search), full: raw };
}

export function navigate(to: string, replace = false): void {
  const hash = `#${to.startsWith('/') ? to : `/${to}`}`;
  if (replace) window.history.replaceState(null, '', hash);
  else window.location.hash = hash;
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** `/batches/:id` against `/batches/123` gives `{ id: '123' }`; no match gives null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return out;
}

/** `#/path?query` for an href. */
export const href = (to: string): string => `#${to}`;

/** Replace some query parameters of the current route (filters kept in the URL survive a reload). */
export function setQuery(route: Route, changes: Record<string, string | undefined>, replace = true): void {
  const q = new URLSearchParams(route.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  navigate(`${route.path}${s ? `?${s}` : ''}`, replace);
}
