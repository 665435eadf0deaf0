import { withTimeout } from './timeout';

describe('withTimeout', () => {
  it('passes through a result that arrives in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 100, () => new Error('late'))).resolves.toBe(7);
  });

  it('rejects with the given error when the work is too slow, and swallows its later failure', async () => {
    const slow = new Promise((_, reject) => setTimeout(() => reject(new Error('too late to matter')), 50));
    await expect(withTimeout(slow, 10, () => new Error('timed out'))).rejects.toThrow('timed out');
    await new Promise((r) => setTimeout(r, 60)); // an unhandled rejection here would fail the run
  });
});
