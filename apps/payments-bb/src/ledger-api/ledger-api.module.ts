import { Module } from '@nestjs/common';
import { LedgerAccountsController } from './ledger-accounts.controller';
import { LedgerAccountsService } from './ledger-accounts.service';
import { LedgerApiService } from './ledger-api.service';
import { LedgerReconciliationController } from './ledger-reconciliation.controller';
import { LedgerTransfersController } from './ledger-transfers.controller';
import { TransferBatcher } from './transfer-batcher';

/** The operator and program APIs of the ledger (`/ledger/...`); all writes go through LedgerService. */
@Module({
  controllers: [LedgerAccountsController, LedgerTransfersController, LedgerReconciliationController],
  providers: [LedgerApiService, LedgerAccountsService, TransferBatcher],
  exports: [LedgerApiService],
})
export class LedgerApiModule {}
