import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@app/database';
import { AppConfig, PlatformModule } from '@app/platform';
import { BeneficiariesRepository } from '../account-mapper/beneficiaries.repository';
import { BeneficiaryRegistryService } from '../account-mapper/beneficiary-registry.service';
import { ParticipantsModule } from '../participants/participants.module';
import { SeedImporterService } from '../seed-import/seed-importer.service';

/** What the command-line tools need: no HTTP, no queues. */
@Module({})
export class CliModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [PlatformModule.forRoot(config), DatabaseModule, ParticipantsModule],
      providers: [BeneficiariesRepository, BeneficiaryRegistryService, SeedImporterService],
    };
  }
}
