import { Process, Processor } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bull';
import { ADVANCE_JOB, AdvanceJob, BULK_QUEUE, POLL_JOB, SUBMIT_JOB, SubBatchJob } from '../bulk.constants';
import { BatchPipeline } from './batch-pipeline.service';
import { SubBatchSender } from './sub-batch-sender';

/** The bulk queue's worker side. Jobs carry IDs only; every handler re-reads the rows and is safe to repeat. */
@Processor(BULK_QUEUE)
@Injectable()
export class BulkProcessor {
  constructor(
    private readonly pipeline: BatchPipeline,
    private readonly sender: SubBatchSender,
  ) {}

  @Process({ name: ADVANCE_JOB, concurrency: 4 })
  advance(job: Job<AdvanceJob>): Promise<void> {
    return this.pipeline.advance(job.data.batchId);
  }

  @Process({ name: SUBMIT_JOB, concurrency: 8 })
  submit(job: Job<SubBatchJob>): Promise<void> {
    return this.sender.submit(job.data.subBatchId);
  }

  @Process({ name: POLL_JOB, concurrency: 2 })
  poll(job: Job<SubBatchJob>): Promise<void> {
    return this.sender.poll(job.data.subBatchId);
  }
}
