import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { registerErrorShape } from '@app/platform';
import { FspConnector } from '../bulk/connector/fsp-connector';
import { FspEndpoints } from '../bulk/connector/fsp-endpoints';
import { HttpFspConnector } from '../bulk/connector/http-fsp-connector';
import { ProgramsRepository } from '../bulk/programs/programs.repository';
import { ParticipantsModule } from '../participants/participants.module';
import { VoucherAdminController } from './admin.controller';
import { CallingBbResolver } from './domain/calling-bb.resolver';
import { VoucherSecrets } from './domain/voucher-secrets';
import { VoucherGroupsRepository } from './groups/voucher-groups.repository';
import { VoucherGroupsService } from './groups/voucher-groups.service';
import { PartnerKeysService } from './keys/partner-keys.service';
import { VoucherIssuanceService } from './lifecycle/voucher-issuance.service';
import { VoucherLedgerService } from './lifecycle/voucher-ledger.service';
import { VoucherProvisioningService } from './lifecycle/voucher-provisioning.service';
import { VoucherSweeper } from './lifecycle/voucher-sweeper';
import { VouchersRepository } from './lifecycle/vouchers.repository';
import { MerchantsRepository } from './merchants/merchants.repository';
import { MerchantsService } from './merchants/merchants.service';
import { GuessThrottle } from './redemption/guess-throttle';
import { RedemptionCommitter } from './redemption/redemption-committer';
import { RedemptionService } from './redemption/redemption.service';
import { RedemptionsRepository } from './redemption/redemptions.repository';
import { VoucherProcessor } from './redemption/voucher.processor';
import { VoucherQueue } from './redemption/voucher.queue';
import { V1VouchersController } from './v1/v1-vouchers.controller';
import { V1VouchersService } from './v1/v1-vouchers.service';
import { V3VouchersController } from './v3/v3-vouchers.controller';
import { V3VouchersService } from './v3/v3-vouchers.service';
import { VOUCHER_QUEUE } from './voucher.constants';
import { voucherV1Shape, voucherV3Shape } from './voucher-error-shapes';

registerErrorShape(voucherV1Shape);
registerErrorShape(voucherV3Shape);

/**
 * Voucher engine: groups, provisioning against program funds, pre-activation, activation (also by encrypted
 * file), redemption at merchants through the payer FSP, cancel, suspend/block, expiry and purge; v1 and v3 APIs.
 */
@Module({})
export class VouchersModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: VouchersModule,
      imports: [BullModule.registerQueue({ name: VOUCHER_QUEUE }), ParticipantsModule],
      // The admin routes (/vouchers/:serial/:action) come after v1's fixed paths so those win.
      controllers: [V1VouchersController, V3VouchersController, VoucherAdminController],
      providers: [
        ProgramsRepository,
        FspEndpoints,
        { provide: FspConnector, useClass: HttpFspConnector },
        CallingBbResolver,
        VoucherSecrets,
        VoucherGroupsRepository,
        VoucherGroupsService,
        VouchersRepository,
        VoucherLedgerService,
        VoucherProvisioningService,
        VoucherIssuanceService,
        MerchantsRepository,
        MerchantsService,
        GuessThrottle,
        RedemptionsRepository,
        RedemptionCommitter,
        RedemptionService,
        VoucherQueue,
        PartnerKeysService,
        V1VouchersService,
        V3VouchersService,
        ...(opts.workers ? [VoucherProcessor, VoucherSweeper] : []),
      ],
      exports: [MerchantsService, VouchersRepository, VoucherSecrets, VoucherGroupsRepository],
    };
  }
}
