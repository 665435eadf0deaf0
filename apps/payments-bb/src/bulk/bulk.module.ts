import { PaymentsReportController } from './reports/payments-report.controller';
import { PaymentsReportRepository } from './reports/payments-report.repository';
import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { govstackErrorShape, registerErrorShape } from '@app/platform';
import { BeneficiariesRepository } from '../account-mapper/beneficiaries.repository';
import { BeneficiaryRegistryService } from '../account-mapper/beneficiary-registry.service';
import { SourceBbResolver } from '../account-mapper/source-bb.resolver';
import { ParticipantsModule } from '../participants/participants.module';
import { BULK_QUEUE } from './bulk.constants';
import { FspConnector } from './connector/fsp-connector';
import { FspEndpoints } from './connector/fsp-endpoints';
import { HttpFspConnector } from './connector/http-fsp-connector';
import { BatchIngestService } from './ingest/batch-ingest.service';
import { BatchSubmissionService } from './ingest/batch-submission.service';
import { V1BulkController } from './ingest/v1-bulk.controller';
import { V3BatchController } from './ingest/v3-batch.controller';
import { BatchActionsController } from './pipeline/batch-actions.controller';
import { BatchActionsService } from './pipeline/batch-actions.service';
import { BatchFinalizer } from './pipeline/batch-finalizer';
import { BatchLedgerService } from './pipeline/batch-ledger.service';
import { BatchPipeline } from './pipeline/batch-pipeline.service';
import { BatchesRepository } from './pipeline/batches.repository';
import { BulkSweeper } from './pipeline/bulk-sweeper';
import { BulkProcessor } from './pipeline/bulk.processor';
import { BulkQueue } from './pipeline/bulk.queue';
import { SettlementService } from './pipeline/settlement.service';
import { StatusPushController } from './pipeline/status-push.controller';
import { SubBatchSender } from './pipeline/sub-batch-sender';
import { PrepaymentValidationController } from './prepayment/prepayment.controller';
import { PrepaymentValidationRepository } from './prepayment/prepayment.repository';
import { PrepaymentValidationService } from './prepayment/prepayment.service';
import { ProgramsController } from './programs/programs.controller';
import { BatchQueryController } from './query/batch-query.controller';
import { BatchQueryRepository } from './query/batch-query.repository';
import { BatchQueryService } from './query/batch-query.service';
import { ProgramsRepository } from './programs/programs.repository';
import { ProgramsService } from './programs/programs.service';

/** The GovStack v1 bulk paths answer errors in GovStack's ResponseCode/ResponseDescription/RequestID shape. */
registerErrorShape(govstackErrorShape('govstack-bulk-v1', /^\/(bulk-payment|prepayment-validation)(\/|$)/));

/**
 * Bulk disbursement (G2P): programs and payer-FSP connectors, batch intake (v1, v3 JSON, v3 CSV), the staged
 * pipeline on the `bulk` queue, status pushes, operator actions, status queries and reports.
 */
@Module({})
export class BulkModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: BulkModule,
      imports: [BullModule.registerQueue({ name: BULK_QUEUE }), ParticipantsModule],
      controllers: [
        PaymentsReportController,
        ProgramsController,
        V1BulkController,
        V3BatchController,
        PrepaymentValidationController,
        StatusPushController,
        BatchActionsController,
        BatchQueryController,
      ],
      providers: [
        PaymentsReportRepository,
        // The mapper's services, for resolution and prepayment validation (stateless; the mapper module owns the routes).
        BeneficiariesRepository,
        BeneficiaryRegistryService,
        SourceBbResolver,
        ProgramsRepository,
        ProgramsService,
        FspEndpoints,
        { provide: FspConnector, useClass: HttpFspConnector },
        BatchesRepository,
        BatchLedgerService,
        BatchFinalizer,
        BulkQueue,
        BatchIngestService,
        BatchSubmissionService,
        BatchPipeline,
        SettlementService,
        SubBatchSender,
        BatchActionsService,
        PrepaymentValidationRepository,
        PrepaymentValidationService,
        BatchQueryRepository,
        BatchQueryService,
        ...(opts.workers ? [BulkProcessor, BulkSweeper] : []),
      ],
      exports: [FspConnector],
    };
  }
}
