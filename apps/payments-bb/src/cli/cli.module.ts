import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@app/database';
import { LedgerModule } from '@app/ledger';
import { AppConfig, PlatformModule } from '@app/platform';
import { BeneficiariesRepository } from '../account-mapper/beneficiaries.repository';
import { BeneficiaryRegistryService } from '../account-mapper/beneficiary-registry.service';
import { DigitSeedImporter } from '../digit/seed/digit-seed-importer';
import { IdGenerator } from '../digit/ids/id-generator';
import { MastersRepository } from '../digit/masters/masters.repository';
import { ParticipantsModule } from '../participants/participants.module';
import { SeedImporterService } from '../seed-import/seed-importer.service';
import { VoucherSeedImporter } from '../seed-import/voucher-seed-importer';
import { VoucherSecrets } from '../vouchers/domain/voucher-secrets';
import { VoucherGroupsRepository } from '../vouchers/groups/voucher-groups.repository';
import { VoucherLedgerService } from '../vouchers/lifecycle/voucher-ledger.service';
import { VouchersRepository } from '../vouchers/lifecycle/vouchers.repository';
import { MerchantsRepository } from '../vouchers/merchants/merchants.repository';
import { MerchantsService } from '../vouchers/merchants/merchants.service';

/** What the command-line tools need: no HTTP, no queues. */
@Module({})
export class CliModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        PlatformModule.forRoot(config),
        DatabaseModule,
        ParticipantsModule,
        LedgerModule.register({ workers: false }),
      ],
      providers: [
        BeneficiariesRepository,
        BeneficiaryRegistryService,
        SeedImporterService,
        VoucherSeedImporter,
        VoucherSecrets,
        VoucherGroupsRepository,
        VouchersRepository,
        VoucherLedgerService,
        MerchantsRepository,
        MerchantsService,
        MastersRepository,
        IdGenerator,
        DigitSeedImporter,
      ],
    };
  }
}
