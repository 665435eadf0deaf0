import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppException, Ctx, ErrorCode, hasScope, RequestContext, RequireScopes } from '@app/platform';
import { PartnerKeysService } from '../keys/partner-keys.service';
import { V3VouchersService } from './v3-vouchers.service';

const JOSE = 'application/jose';

/**
 * The current voucher contract (api-v3 Voucher*.yml). The YAMLs put create, cancel and redeem all on POST /vouchers
 * (redeem's YAML even says command=cancel): here `command` tells them apart - none or `create`, `cancel`, `redeem`.
 * Activation is PUT /vouchers?command=activate, with a JSON body or an encrypted file (Content-Type application/jose,
 * JWE compact) answered with an encrypted file (docs/vouchers.md).
 */
@ApiTags('vouchers (GovStack v3)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('vouchers')
export class V3VouchersController {
  constructor(
    private readonly v3: V3VouchersService,
    private readonly keys: PartnerKeysService,
  ) {}

  @Post()
  @HttpCode(200)
  @RequireScopes('vouchers:read')
  @ApiOperation({
    summary:
      'Create vouchers (no command, or command=create), cancel them (command=cancel) or redeem one (command=redeem)',
  })
  @ApiQuery({ name: 'command', required: false, enum: ['create', 'cancel', 'redeem'] })
  @ApiHeader({
    name: 'X-Callback-URL',
    required: false,
    description: 'Required for create: the voucher details are sent there',
  })
  @ApiBody({ schema: { type: 'object' } })
  @ApiOkResponse({
    description:
      'create/cancel: { ResponseCode, ResponseDescription, RequestID }; redeem: { status, message, serialNumber, value, timestamp, transactionId }',
  })
  async post(
    @Query('command') command: string | undefined,
    @Body() body: unknown,
    @Ctx() ctx: RequestContext,
    @Headers('x-callback-url') callbackUrl?: string,
  ) {
    if (command === 'redeem') {
      this.need(ctx, 'vouchers:redeem');
      return this.v3.redeem(ctx, body);
    }
    if (command !== undefined && command !== 'create' && command !== 'cancel')
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'command must be create, cancel or redeem');
    this.need(ctx, 'vouchers:issue');
    const kind = command === 'cancel' ? 'cancel' : 'create';
    const r = await this.v3.batch(ctx, kind, body, callbackUrl);
    return {
      ResponseCode: '00',
      ResponseDescription: `${r.replayed ? 'Already received' : 'Received'}: ${r.total} voucher instruction(s), ${r.failed.length} failed${callbackUrl ? '; details go to the callback URL' : ''}`,
      RequestID: r.requestId,
      numberFailedCases: r.failed.length,
      failedCases: r.failed,
    };
  }

  @Put()
  @HttpCode(200)
  @RequireScopes('vouchers:issue')
  @ApiOperation({
    summary: 'Activate vouchers by serial (command=activate); JSON or an encrypted file (application/jose)',
  })
  @ApiQuery({ name: 'command', required: true, enum: ['activate'] })
  @ApiConsumes('application/json', JOSE)
  @ApiBody({ schema: { type: 'object' } })
  async put(
    @Query('command') command: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Ctx() ctx: RequestContext,
    @Headers('x-callback-url') callbackUrl?: string,
  ) {
    if (command !== 'activate')
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'command must be activate');
    const encrypted = req.is(JOSE) === JOSE;
    let payload = body;
    if (encrypted) {
      if (typeof body !== 'string')
        throw new AppException(
          ErrorCode.VALIDATION_FAILED,
          'The encrypted file must be a JWE compact serialization',
        );
      try {
        payload = JSON.parse(this.keys.decrypt(body.trim()).toString('utf8'));
      } catch (err) {
        if (err instanceof AppException) throw err;
        throw new AppException(ErrorCode.VALIDATION_FAILED, 'The decrypted file is not JSON');
      }
    }
    const r = await this.v3.batch(ctx, 'activate', payload, callbackUrl);
    const answer = {
      ResponseCode: '00',
      ResponseDescription: `${r.replayed ? 'Already received' : 'Received'}: ${r.total} voucher(s), ${r.failed.length} failed`,
      RequestID: r.requestId,
      numberFailedCases: r.failed.length,
      failedCases: r.failed,
    };
    if (!encrypted) return answer;
    res.type(JOSE);
    return this.keys.encryptFor(ctx.principal.participantId ?? '', JSON.stringify(answer));
  }

  @Get(':serialNumber')
  @RequireScopes('vouchers:read')
  @ApiOperation({
    summary:
      'Voucher status: status 1-6 as v1 orders them (1 Not Pre-Activated .. 6 Purged), 7 consumed, 8 cancelled or expired; 9 on error',
  })
  @ApiQuery({ name: 'fields', required: false, enum: ['status'] })
  status(@Param('serialNumber') serial: string, @Ctx() ctx: RequestContext) {
    return this.v3.status(ctx, serial);
  }

  private need(ctx: RequestContext, scope: string) {
    if (!hasScope(ctx.principal, scope))
      throw new AppException(ErrorCode.FORBIDDEN, `This call needs the ${scope} scope`);
  }
}
