/**
 * Group commit for work that contends on a few hot rows (a ledger account every caller posts to): an item
 * submitted while no flush runs for its lane is written at once, alone; items submitted while one runs wait
 * and are written together by the next flush, in one transaction. Under load the hot rows are locked once
 * per flush instead of once per item; when idle nothing waits.
 *
 * `flush` must be all-or-nothing and answer one result per item, in order. When a combined flush fails it
 * is retried one item at a time, so each caller gets its own result or error, never another's.
 */
export class GroupCommit<T, R> {
  private readonly lanes = new Map<string, { queue: Waiting<T, R>[]; running?: Promise<void> }>();

  constructor(
    private readonly flush: (lane: string, items: T[]) => Promise<R[]>,
    /** The most items one flush takes. */
    public maxBatch = 200,
  ) {}

  submit(lane: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let l = this.lanes.get(lane);
      if (!l) this.lanes.set(lane, (l = { queue: [] }));
      l.queue.push({ item, resolve, reject });
      if (!l.running) l.running = this.run(lane, l);
    });
  }

  /** Resolves once every submitted item has its answer. */
  async drain(): Promise<void> {
    while (this.lanes.size) await Promise.all([...this.lanes.values()].map((l) => l.running));
  }

  private async run(lane: string, l: { queue: Waiting<T, R>[]; running?: Promise<void> }): Promise<void> {
    try {
      while (l.queue.length) await this.apply(lane, l.queue.splice(0, this.maxBatch));
    } finally {
      l.running = undefined;
      this.lanes.delete(lane);
    }
  }

  private async apply(lane: string, group: Waiting<T, R>[]): Promise<void> {
    let results: R[];
    try {
      results = await this.flush(
        lane,
        group.map((w) => w.item),
      );
      if (results.length !== group.length)
        throw new Error(`flush answered ${results.length} results for ${group.length} items`);
    } catch (err) {
      if (group.length === 1) return group[0].reject(err);
      for (const w of group) await this.apply(lane, [w]);
      return;
    }
    group.forEach((w, i) => w.resolve(results[i]));
  }
}

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}
