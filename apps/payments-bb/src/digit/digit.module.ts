import { Module } from '@nestjs/common';
import { registerErrorShape } from '@app/platform';
import { BillingController } from './bills/billing.controller';
import { BillsRepository } from './bills/bills.repository';
import { BillsService } from './bills/bills.service';
import { DemandsRepository } from './demands/demands.repository';
import { DemandsService } from './demands/demands.service';
import { digitShape } from './envelope/digit-error-shape';
import { IdGenerator } from './ids/id-generator';
import { MastersController } from './masters/masters.controller';
import { MastersRepository } from './masters/masters.repository';
import { PayerData } from './payer-data';
import { FinanceController } from './remittances/finance.controller';
import { CollectionController } from './payments/collection.controller';
import { DigitLedger } from './payments/digit-ledger';
import { DigitOutbox } from './payments/digit-outbox';
import { PaymentWorkflowService } from './payments/payment-workflow.service';
import { DigitPaymentsRepository } from './payments/payments.repository';
import { DigitPaymentsService } from './payments/payments.service';
import { DigitAuthService } from './users/digit-auth.service';
import { DigitOauthController } from './users/oauth.controller';
import { DigitUsersController } from './users/digit-users.controller';
import { DigitAdminController } from './users/digit-admin.controller';
import { ParticipantsModule } from '../participants/participants.module';
import { DigitUsersRepository } from './users/digit-users.repository';

registerErrorShape(digitShape);

/**
 * DIGIT-compatible billing and collection (docs/digit.md): egov-user's token, billing-service's masters, demands
 * and bills, collection-services' payments, receipts and workflow, in DIGIT's envelope and error shape.
 */
@Module({
  imports: [ParticipantsModule],
  controllers: [
    DigitOauthController,
    DigitUsersController,
    DigitAdminController,
    MastersController,
    BillingController,
    CollectionController,
    FinanceController,
  ],
  providers: [
    DigitUsersRepository,
    DigitAuthService,
    MastersRepository,
    IdGenerator,
    PayerData,
    DemandsRepository,
    DemandsService,
    BillsRepository,
    BillsService,
    DigitPaymentsRepository,
    DigitPaymentsService,
    PaymentWorkflowService,
    DigitLedger,
    DigitOutbox,
  ],
  exports: [BillsService, BillsRepository, DigitPaymentsService, MastersRepository],
})
export class DigitModule {}
