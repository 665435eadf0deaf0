import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { govstackErrorShape, registerErrorShape } from '@app/platform';
import { BeneficiariesRepository } from './beneficiaries.repository';
import { BeneficiaryRegistryService } from './beneficiary-registry.service';
import { MAPPER_QUEUE } from './mapper.constants';
import { MapperRequestsRepository } from './mapper-requests.repository';
import { SourceBbResolver } from './source-bb.resolver';
import { V1MapperController } from './v1/v1-mapper.controller';
import { V1MapperService } from './v1/v1-mapper.service';
import { LookupController } from './v3/lookup.controller';
import { LookupService } from './v3/lookup.service';
import { MapperRequestProcessor } from './v3/mapper-request.processor';
import { V3MapperController } from './v3/v3-mapper.controller';
import { V3MapperService } from './v3/v3-mapper.service';
import { BeneficiaryLookupController } from './operator/beneficiary-lookup.controller';
import { BeneficiaryLookupService } from './operator/beneficiary-lookup.service';

/** Every account-mapper path answers errors in GovStack's ResponseCode/ResponseDescription/RequestID shape. */
registerErrorShape(
  govstackErrorShape('govstack-account-mapper', /^\/(register-beneficiary|update-beneficiary-details|identityAccountMapper|beneficiary)(\/|$)/),
);

@Module({})
export class AccountMapperModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: AccountMapperModule,
      imports: [BullModule.registerQueue({ name: MAPPER_QUEUE })],
      controllers: [V1MapperController, V3MapperController, LookupController, BeneficiaryLookupController],
      providers: [
        BeneficiariesRepository,
        BeneficiaryRegistryService,
        MapperRequestsRepository,
        SourceBbResolver,
        V1MapperService,
        V3MapperService,
        LookupService,
        BeneficiaryLookupService,
        ...(opts.workers ? [MapperRequestProcessor] : []),
      ],
      exports: [BeneficiaryRegistryService, SourceBbResolver],
    };
  }
}
