/**
 * Settles with `work`, or rejects with `onTimeout()` after `ms`. The work itself is not cancelled; callers use
 * this only where finishing late is harmless (a late Redis write, a DNS answer nobody waits for any more).
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  work.catch(() => undefined); // a rejection after the timeout must not be unhandled
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
