import type { JobOptions, Queue } from 'bull';

/**
 * Adds a job under its ID. A failed job is kept (removeOnFail) under its ID, and Bull ignores an add under an ID it
 * holds: without replacing it, work whose job once failed for good could never be enqueued again, not even by a
 * sweeper. Throws what Redis throws; callers log it and leave the work to their sweeper.
 */
export async function enqueueById<T>(
  queue: Queue<T>,
  name: string,
  data: T,
  opts: JobOptions & { jobId: string },
): Promise<void> {
  const job = await queue.add(name, data, opts);
  if (await job.isFailed()) {
    await job.remove();
    await queue.add(name, data, opts);
  }
}
