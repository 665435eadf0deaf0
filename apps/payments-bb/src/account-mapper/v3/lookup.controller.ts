import { Body, Controller, Get, Headers, HttpCode, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { V3BulkLookupDto, V3LookupResponseDto } from '../dto/v3.dto';
import { LookupService } from './lookup.service';

/** The header is spelled `registeringInstitutionId` in AccountLookup.yml; we accept the v3 spelling too. */
function institutionOf(a?: string, b?: string): string {
  const v = a ?? b;
  if (!v) throw new AppException(ErrorCode.VALIDATION_FAILED, 'registeringInstitutionId header is required');
  return v;
}

@ApiTags('account-mapper (GovStack v3)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@ApiHeader({ name: 'registeringInstitutionId', required: true, description: 'Also accepted as X-Registering-Institution-ID' })
@ApiHeader({ name: 'X-Callback_URL', required: false, description: 'Accepted and ignored: lookups are answered synchronously' })
@RequireScopes('mapper:read')
@Controller('beneficiary')
export class LookupController {
  constructor(private readonly lookups: LookupService) {}

  @Get()
  @ApiOperation({ summary: 'Account lookup of one functional ID (AccountLookup.yml); 404 when not registered' })
  @ApiQuery({ name: 'payeeIdentity', required: true })
  @ApiQuery({ name: 'requestId', required: true })
  @ApiOkResponse({ type: V3LookupResponseDto })
  one(
    @Ctx() ctx: RequestContext,
    @Query('payeeIdentity') payeeIdentity?: string,
    @Query('requestId') requestId?: string,
    @Headers('registeringinstitutionid') institution?: string,
    @Headers('x-registering-institution-id') institutionV3?: string,
  ): Promise<V3LookupResponseDto> {
    if (typeof payeeIdentity !== 'string' || !payeeIdentity || payeeIdentity.length > 20)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'payeeIdentity is required (up to 20 characters)');
    if (typeof requestId !== 'string' || !requestId || requestId.length > 12)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'requestId is required (up to 12 characters)');
    return this.lookups.single(ctx, institutionOf(institution, institutionV3), requestId, payeeIdentity);
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Bulk account lookup (BulkAccountLookup.yml): resolves many functional IDs at once' })
  @ApiOkResponse({ type: V3LookupResponseDto })
  bulk(
    @Body() dto: V3BulkLookupDto,
    @Ctx() ctx: RequestContext,
    @Headers('registeringinstitutionid') institution?: string,
    @Headers('x-registering-institution-id') institutionV3?: string,
  ): Promise<V3LookupResponseDto> {
    return this.lookups.bulk(ctx, institutionOf(institution, institutionV3), dto);
  }
}
