import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestContext, RequireScopes } from '@app/platform';
import { V1BeneficiariesRequestDto, V1ResponseDto } from '../dto/v1.dto';
import { V1MapperService } from './v1-mapper.service';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Optional; without it the RequestID is the idempotency key (per source BB)',
};

@ApiTags('account-mapper (GovStack v1)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@ApiHeader(IDEMPOTENCY_HEADER)
@ApiOkResponse({ type: V1ResponseDto })
@ApiBadRequestResponse({ type: V1ResponseDto, description: 'ResponseCode 01: missing/malformed fields or unknown SourceBBID' })
@RequireScopes('mapper:write')
@Controller()
export class V1MapperController {
  constructor(private readonly service: V1MapperService) {}

  @Post('register-beneficiary')
  @HttpCode(200)
  @ApiOperation({ summary: 'Register beneficiaries in the account mapper (api-v1 Registerbeneficiary.yaml)' })
  register(
    @Body() dto: V1BeneficiariesRequestDto,
    @Ctx() ctx: RequestContext,
    @Headers('idempotency-key') key?: string,
  ): Promise<V1ResponseDto> {
    return this.service.handle('register', ctx, dto, key);
  }

  @Post('update-beneficiary-details')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update payment modality / financial address (api-v1 UpdateBeneficiary.yaml)' })
  update(
    @Body() dto: V1BeneficiariesRequestDto,
    @Ctx() ctx: RequestContext,
    @Headers('idempotency-key') key?: string,
  ): Promise<V1ResponseDto> {
    return this.service.handle('update', ctx, dto, key);
  }
}
