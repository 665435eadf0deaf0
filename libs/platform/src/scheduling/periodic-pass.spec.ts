import { PeriodicPass } from './periodic-pass';

const deferred = () => {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe('PeriodicPass', () => {
  it('never runs two passes at once: a second run joins the one running', async () => {
    const gate = deferred();
    let calls = 0;
    const loop = new PeriodicPass('t', () => (calls++, gate.promise), { warn: jest.fn() });
    const a = loop.run();
    const b = loop.run();
    expect(b).toBe(a);
    gate.resolve();
    await a;
    await loop.run();
    expect(calls).toBe(2);
  });

  it('logs a failed pass instead of throwing, and runs again afterwards', async () => {
    const warn = jest.fn();
    let calls = 0;
    const loop = new PeriodicPass(
      'Sweep',
      async () => {
        calls++;
        if (calls === 1) throw new Error('redis down');
      },
      { warn },
    );
    await expect(loop.run()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith('Sweep failed: Error: redis down');
    await loop.run();
    expect(calls).toBe(2);
  });

  it('runs at start and on every interval, and stop waits for the running pass', async () => {
    jest.useFakeTimers();
    try {
      const gate = deferred();
      let calls = 0;
      let finished = false;
      const loop = new PeriodicPass(
        't',
        async () => {
          calls++;
          if (calls === 2) await gate.promise;
          if (calls === 2) finished = true;
        },
        { warn: jest.fn() },
      );
      loop.start(1000);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(2);
      const stopped = loop.stop();
      gate.resolve();
      await stopped;
      expect(finished).toBe(true);
      await jest.advanceTimersByTimeAsync(5000);
      expect(calls).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
