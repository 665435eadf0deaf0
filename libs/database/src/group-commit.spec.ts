import { GroupCommit } from './group-commit';

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('writes an item alone when idle and those that arrive meanwhile together, in order', async () => {
    const flushes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const g = new GroupCommit<number, number>(async (_lane, items) => {
      flushes.push(items);
      if (flushes.length === 1) await gate;
      return items.map((x) => x * 10);
    });
    const first = g.submit('t1', 1);
    await tick();
    const rest = [2, 3, 4].map((x) => g.submit('t1', x));
    release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(flushes).toEqual([[1], [2, 3, 4]]);
  });

  it('keeps lanes apart and caps a flush at maxBatch', async () => {
    const flushes: [string, number[]][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const g = new GroupCommit<number, number>(async (lane, items) => {
      flushes.push([lane, items]);
      if (flushes.length === 1) await gate;
      return items;
    }, 2);
    const all = [g.submit('a', 1)];
    await tick();
    all.push(g.submit('a', 2), g.submit('a', 3), g.submit('a', 4), g.submit('b', 5));
    release();
    await Promise.all(all);
    await g.drain();
    expect(flushes).toEqual([
      ['a', [1]],
      ['b', [5]],
      ['a', [2, 3]],
      ['a', [4]],
    ]);
  });

  it('retries a failed combined flush one item at a time: each caller gets its own answer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const g = new GroupCommit<number, number>(async (_lane, items) => {
      if (++calls === 1) await gate;
      if (items.includes(3)) throw new Error(`refused ${items.join(',')}`);
      return items;
    });
    const first = g.submit('t', 1);
    await tick();
    const [two, three, four] = [2, 3, 4].map((x) => g.submit('t', x));
    release();
    await expect(first).resolves.toBe(1);
    await expect(two).resolves.toBe(2);
    await expect(three).rejects.toThrow('refused 3');
    await expect(four).resolves.toBe(4);
  });

  it('refuses a flush that answers the wrong number of results', async () => {
    const g = new GroupCommit<number, number>(async () => []);
    await expect(g.submit('t', 1)).rejects.toThrow('flush answered 0 results for 1 items');
  });
});
