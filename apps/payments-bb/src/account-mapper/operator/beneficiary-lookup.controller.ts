import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { BeneficiaryLookupService } from './beneficiary-lookup.service';

@ApiTags('account-mapper: operators')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('mapper:read')
@Controller('account-mapper/beneficiaries')
export class BeneficiaryLookupController {
  constructor(private readonly lookups: BeneficiaryLookupService) {}

  /** The ID goes in the query, never the path: request logs keep paths, and a functional ID may be a national ID. */
  @Get()
  @ApiOperation({ summary: 'Every registration of a functional ID in the tenant; the address masked without mapper:reveal' })
  @ApiQuery({ name: 'functionalId', required: true })
  find(@Query('functionalId') functionalId: unknown, @Ctx() ctx: RequestContext) {
    if (typeof functionalId !== 'string' || !functionalId || functionalId.length > 20)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'functionalId is required (up to 20 characters)');
    return this.lookups.find(ctx, functionalId);
  }
}
