import { Process, Processor } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bull';
import { RESOLVE_JOB, ResolveJob, VOUCHER_QUEUE } from '../voucher.constants';
import { RedemptionService } from './redemption.service';

/** The vouchers queue's worker side: jobs carry a redemption ID, the handler re-reads it and is safe to repeat. */
@Processor(VOUCHER_QUEUE)
@Injectable()
export class VoucherProcessor {
  constructor(private readonly redemptions: RedemptionService) {}

  @Process({ name: RESOLVE_JOB, concurrency: 4 })
  resolve(job: Job<ResolveJob>): Promise<void> {
    return this.redemptions.resolve(job.data.redemptionId);
  }
}
