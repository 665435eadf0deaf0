import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { registerErrorShape } from '@app/platform';
import { BeneficiariesRepository } from '../account-mapper/beneficiaries.repository';
import { DigitModule } from '../digit/digit.module';
import { ParticipantsModule } from '../participants/participants.module';
import { DigitBiller } from './digit-link/digit-biller';
import { VoucherSecrets } from '../vouchers/domain/voucher-secrets';
import { VoucherGroupsRepository } from '../vouchers/groups/voucher-groups.repository';
import { VouchersRepository } from '../vouchers/lifecycle/vouchers.repository';
import { GuessThrottle } from '../vouchers/redemption/guess-throttle';
import { AdviceProcessor } from './advice/advice.processor';
import { AdviceQueue } from './advice/advice.queue';
import { AdviceService } from './advice/advice.service';
import { AdvicesController } from './advice/advices.controller';
import { P2gSweeper } from './advice/p2g-sweeper';
import { BbpsController } from './bbps/bbps.controller';
import { BbpsService } from './bbps/bbps.service';
import { BillerEndpoints } from './billers/biller-endpoints';
import { BillerHttp } from './billers/biller-http';
import { BillLookupController } from './bills/bill-lookup.controller';
import { BillLookupRepository } from './bills/bill-lookup.repository';
import { BillersController } from './billers/billers.controller';
import { BillersRepository } from './billers/billers.repository';
import { BillersService } from './billers/billers.service';
import { P2gController } from './govstack/p2g.controller';
import { P2gService } from './govstack/p2g.service';
import { BillInquiriesRepository } from './inquiry/bill-inquiries.repository';
import { BillInquiryService } from './inquiry/bill-inquiry.service';
import { bbpsShape, p2gShape } from './p2g-error-shapes';
import { P2G_QUEUE } from './p2g.constants';
import { PayerFisController } from './payer-fis/payer-fis.controller';
import { PayerFisRepository } from './payer-fis/payer-fis.repository';
import { PayerFisService } from './payer-fis/payer-fis.service';
import { BillPaymentsRepository } from './payments/bill-payments.repository';
import { BillPaymentsService } from './payments/bill-payments.service';
import { BillsRepository } from './payments/bills.repository';
import { P2gLedger } from './payments/p2g-ledger';
import { P2gReportsController } from './reports/p2g-reports.controller';
import { P2gReportsRepository } from './reports/p2g-reports.repository';
import { RtpRepository } from './rtp/rtp.repository';
import { RtpService } from './rtp/rtp.service';
import { VoucherBillFunding } from './vouchers/voucher-bill-funding';
import { VoucherReinstatement } from './vouchers/voucher-reinstatement';

registerErrorShape(p2gShape);
registerErrorShape(bbpsShape);

/**
 * P2G bill payments (docs/p2g.md): the biller registry and payer FI links, bill inquiry routed by prefix, payments
 * with store-and-forward mark-bill-paid advice, requests to pay, bills paid with vouchers, the BBPS biller face and
 * the settlement and reconciliation reports.
 */
@Module({})
export class P2gModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: P2gModule,
      imports: [BullModule.registerQueue({ name: P2G_QUEUE }), ParticipantsModule, DigitModule],
      controllers: [
        BillersController,
        PayerFisController,
        AdvicesController,
        P2gReportsController,
        P2gController,
        BbpsController,
        BillLookupController,
      ],
      providers: [
        // Stateless repositories of the account mapper and the voucher engine that P2G reads and writes through
        // (importing those modules again would register their queue workers twice).
        BeneficiariesRepository,
        VouchersRepository,
        VoucherGroupsRepository,
        VoucherSecrets,
        GuessThrottle,
        DigitBiller,
        BillersRepository,
        BillersService,
        BillerEndpoints,
        BillerHttp,
        PayerFisRepository,
        PayerFisService,
        BillInquiriesRepository,
        BillInquiryService,
        BillsRepository,
        BillLookupRepository,
        BillPaymentsRepository,
        BillPaymentsService,
        P2gLedger,
        AdviceQueue,
        AdviceService,
        RtpRepository,
        RtpService,
        VoucherBillFunding,
        VoucherReinstatement,
        P2gService,
        BbpsService,
        P2gReportsRepository,
        ...(opts.workers ? [AdviceProcessor, P2gSweeper] : []),
      ],
    };
  }
}
