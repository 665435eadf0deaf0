import { DynamicModule, Global, Module } from '@nestjs/common';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';
import { PendingExpirySweeper } from './pending-expiry.sweeper';
import { ReconciliationRepository } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';

/** The ledger library: every module that moves or promises money posts through LedgerService. */
@Global()
@Module({})
export class LedgerModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: LedgerModule,
      providers: [
        LedgerRepository,
        LedgerService,
        ReconciliationRepository,
        ReconciliationService,
        ...(opts.workers ? [PendingExpirySweeper] : []),
      ],
      exports: [LedgerService, ReconciliationService],
    };
  }
}
