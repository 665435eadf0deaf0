import { Process, Processor } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bull';
import { ADVICE_JOB, AdviceJob, P2G_QUEUE } from '../p2g.constants';
import { AdviceService } from './advice.service';

/** The P2G queue's worker side: an advice job re-reads its payment and sends only if the advice is still due. */
@Processor(P2G_QUEUE)
@Injectable()
export class AdviceProcessor {
  constructor(private readonly advice: AdviceService) {}

  @Process({ name: ADVICE_JOB, concurrency: 16 })
  send(job: Job<AdviceJob>): Promise<void> {
    return this.advice.send(job.data.paymentId);
  }
}
