import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, type Query } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(e instanceof Error ? e.message : String(e), 0, 'CLIENT_ERROR');
}

/**
 * GET `path` (null: nothing yet) and keep the answer; a later answer replaces an earlier one only if it answers
 * the latest request. `pollMs` refreshes it while `poll` is true, without flashing the loading state.
 */
export function useGet<T>(path: string | null, query?: Query, opts: { pollMs?: number; poll?: boolean } = {}): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const key = path === null ? null : path + JSON.stringify(query ?? {});
  const lastKey = useRef<string | null>(null);

  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    const mine = ++seq.current;
    const sameKey = lastKey.current === key;
    lastKey.current = key;
    if (!sameKey) {
      setData(undefined);
      setLoading(true);
    }
    api
      .get<T>(path, query)
      .then((d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (mine !== seq.current) return;
        setError(asApiError(e));
      })
      .finally(() => {
        if (mine === seq.current) setLoading(false);
      });
    // `query` is part of `key`.
  }, [key, tick]);

  const { pollMs, poll } = opts;
  useEffect(() => {
    if (!pollMs || !poll || path === null) return;
    const t = window.setInterval(() => setTick((n) => n + 1), pollMs);
    return () => window.clearInterval(t);
  }, [pollMs, poll, path]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

export interface Action {
  busy: boolean;
  error: ApiError | undefined;
  clear: () => void;
  /** Runs fn; resolves to its result, or undefined when it failed (the error is kept in `error`). */
  run: <R>(fn: () => Promise<R>) => Promise<R | undefined>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = useCallback(async <R,>(fn: () => Promise<R>): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await fn();
    } catch (e) {
      setError(asApiError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, clear: useCallback(() => setError(undefined), []), run };
}

export interface CursorList<T> {
  items: T[];
  /** The cursor of the next page; null when there is none. */
  next: string | null;
  error: ApiError | undefined;
  busy: boolean;
  /** Appends the next page. */
  loadMore: () => void;
}

/**
 * A list read a page at a time by cursor: the first page whenever `key` changes (the list starts empty again),
 * further pages appended by `loadMore`.
 */
export function useCursorList<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next: string | null }>, key: string): CursorList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const load = async (cursor?: string) => {
    setBusy(true);
    try {
      const r = await fetchPage(cursor);
      setItems((l) => (cursor ? [...l, ...r.items] : r.items));
      setNext(r.next);
      setError(undefined);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    setItems([]);
    void load();
    // `fetchPage` changes with `key` only.
    // eslint-disable-next-line
  }, [key]);

  const loadMore = () => {
    if (next) void load(next);
  };
  return { items, next, error, busy, loadMore };
}
