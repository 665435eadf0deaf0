import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { V1ResponseDto } from '../dto/v1.dto';
import { V3AckDto, V3RegisterRequestDto, V3RequestStatusDto, V3UpdateRequestDto } from '../dto/v3.dto';
import { V3MapperService } from './v3-mapper.service';

const INSTITUTION = 'x-registering-institution-id';

@ApiTags('account-mapper (GovStack v3)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Optional; without it the RequestID is the key' })
@ApiBadRequestResponse({ type: V1ResponseDto, description: 'ResponseCode 01 with the reason' })
@Controller('identityAccountMapper')
export class V3MapperController {
  constructor(private readonly service: V3MapperService) {}

  @Post('beneficiary')
  @HttpCode(200)
  @RequireScopes('mapper:write')
  @ApiOperation({ summary: 'Register beneficiaries (asynchronous; the failed cases go to X-Callback-URL)' })
  @ApiHeader({ name: 'X-Callback-URL', required: true, description: "Must lie under one of the institution's registered callback bases" })
  @ApiHeader({ name: 'X-Registering-Institution-ID', required: true, description: 'Code of the registering source BB' })
  @ApiOkResponse({ type: V3AckDto })
  register(
    @Body() dto: V3RegisterRequestDto,
    @Ctx() ctx: RequestContext,
    @Headers('x-callback-url') callbackUrl?: string,
    @Headers(INSTITUTION) institution?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<V3AckDto> {
    return this.service.accept(ctx, { operation: 'register', dto, callbackUrl, sourceCode: institution, idempotencyKey });
  }

  @Put('beneficiary')
  @HttpCode(200)
  @RequireScopes('mapper:write')
  @ApiOperation({ summary: 'Update modality, address, institution code or status (asynchronous)' })
  @ApiHeader({ name: 'X-Callback-URL', required: false, description: 'Where the result is sent; without it, poll the request status' })
  @ApiOkResponse({ type: V3AckDto })
  update(
    @Body() dto: V3UpdateRequestDto,
    @Ctx() ctx: RequestContext,
    @Headers('x-callback-url') callbackUrl?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<V3AckDto> {
    return this.service.accept(ctx, { operation: 'update', dto, callbackUrl, sourceCode: undefined, idempotencyKey });
  }

  @Get('requests/:requestId')
  @RequireScopes('mapper:read')
  @ApiOperation({ summary: 'Extension: the outcome of a register/update request (for callers whose callback was lost)' })
  @ApiHeader({ name: 'X-Registering-Institution-ID', required: true })
  @ApiQuery({ name: 'operation', enum: ['register', 'update'], required: false })
  @ApiOkResponse({ type: V3RequestStatusDto })
  status(
    @Param('requestId') requestId: string,
    @Ctx() ctx: RequestContext,
    @Headers(INSTITUTION) institution?: string,
    @Query('operation') operation: string = 'register',
  ): Promise<V3RequestStatusDto> {
    if (!institution) throw new AppException(ErrorCode.VALIDATION_FAILED, 'X-Registering-Institution-ID header is required');
    if (operation !== 'register' && operation !== 'update')
      throw new AppException(ErrorCode.VALIDATION_FAILED, "operation must be 'register' or 'update'");
    return this.service.status(ctx, institution, operation, requestId);
  }
}
