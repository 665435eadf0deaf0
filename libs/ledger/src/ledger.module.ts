import { DynamicModule, Global, Module } from '@nestjs/common';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';
import { PendingExpirySweeper } from './pending-expiry.sweeper';

/** The ledger library: every module that moves or promises money posts through LedgerService. */
@Global()
@Module({})
export class LedgerModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: LedgerModule,
      providers: [LedgerRepository, LedgerService, ...(opts.workers ? [PendingExpirySweeper] : [])],
      exports: [LedgerService],
    };
  }
}
