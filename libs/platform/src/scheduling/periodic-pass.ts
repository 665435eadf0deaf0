/** Where a pass that failed is reported; the next pass is the retry. */
export interface PassLogger {
  warn(message: string): void;
}

/**
 * A recovery loop for work whose truth is in the database: `pass` runs at start and then every interval, never
 * two at once (a pass still running when the timer fires is not doubled), and a failed pass is logged, not
 * thrown, so that an outage of Redis or PostgreSQL neither stops the loop nor holds up the start.
 */
export class PeriodicPass {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly name: string,
    private readonly pass: () => Promise<unknown>,
    private readonly logger: PassLogger,
  ) {}

  /** Starts the loop; the first pass is not awaited. */
  start(intervalMs: number): void {
    void this.run();
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
  }

  /** One pass now, or the one already running. */
  run(): Promise<void> {
    this.running ??= this.pass()
      .then(
        () => undefined,
        (err: unknown) =>
          this.logger.warn(`${this.name} failed: ${(err as Error).name}: ${(err as Error).message}`),
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Stops the timer and lets a running pass finish (call before the database and the queues close). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
