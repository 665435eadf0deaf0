import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { BeneficiaryLookupService } from './beneficiary-lookup.service';

@ApiTags('account-mapper: operators')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('mapper:read')
@Controller('account-mapper/beneficiaries')
export class BeneficiaryLookupController {
  constructor(private readonly lookups: BeneficiaryLookupService) {}

  @Get(':functionalId')
  @ApiOperation({ summary: 'Every registration of a functional ID in the tenant; the address masked without mapper:reveal' })
  find(@Param('functionalId') functionalId: string, @Ctx() ctx: RequestContext) {
    if (functionalId.length > 20) throw new AppException(ErrorCode.VALIDATION_FAILED, 'A functional ID is at most 20 characters');
    return this.lookups.find(ctx, functionalId);
  }
}
