import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBearerAuth,
  ApiHeaders,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Ctx, RequestContext, RequireScopes } from '@app/platform';
import {
  V1ActivationDto,
  V1CancelDto,
  V1MessageDto,
  V1PreactivationDto,
  V1PreactivationResponseDto,
  V1RedemptionDto,
  V1RedemptionResponseDto,
  V1ResultDto,
  V1StatusResponseDto,
} from './v1-vouchers.dto';
import { V1VouchersService } from './v1-vouchers.service';

const HEADERS = ['X-Callback-URL', 'X-Date', 'X-CorrelationID', 'X-Channel', 'Idempotency-Key'].map(
  (name) => ({ name, required: false }),
);
const err = (status: number, description: string) => ApiResponse({ status, description, type: V1MessageDto });

/** The v1 voucher contract (api-v1/VoucherAPIS.json); errors are `{ message, code }` with the contract's statuses. */
@ApiTags('vouchers (GovStack v1)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@ApiHeaders(HEADERS)
@Controller('vouchers')
export class V1VouchersController {
  constructor(private readonly v1: V1VouchersService) {}

  @Post('voucher_preactivation')
  @HttpCode(200)
  @RequireScopes('vouchers:issue')
  @ApiOperation({
    summary: 'Reserve a voucher of a group, amount and currency; answers its number, serial and expiry',
  })
  @ApiOkResponse({ type: V1PreactivationResponseDto })
  @err(400, 'Invalid request')
  @err(452, 'Invalid amount')
  @err(453, 'Invalid currency')
  @err(454, 'Invalid voucher group')
  @err(455, 'Voucher group exhausted')
  @err(460, 'Gov Stack Building Block does not exist')
  preactivate(
    @Body() dto: V1PreactivationDto,
    @Ctx() ctx: RequestContext,
    @Headers('idempotency-key') key?: string,
    @Headers('x-correlationid') correlation?: string,
  ): Promise<V1PreactivationResponseDto> {
    return this.v1.preactivate(ctx, dto, key ?? correlation);
  }

  @Patch('voucher_activation')
  @HttpCode(200)
  @RequireScopes('vouchers:issue')
  @ApiOperation({
    summary: 'Activate a pre-activated voucher (by serial) when it is handed to the beneficiary',
  })
  @ApiOkResponse({ type: V1ResultDto })
  @err(400, 'Invalid request')
  @err(456, 'Invalid voucher serial number')
  @err(460, 'Gov Stack Building Block does not exist')
  activate(@Body() dto: V1ActivationDto, @Ctx() ctx: RequestContext): Promise<V1ResultDto> {
    return this.v1.activate(ctx, dto);
  }

  @Post(['voucher_redeemption', 'voucher_redemption'])
  @HttpCode(200)
  @RequireScopes('vouchers:redeem')
  @ApiOperation({
    summary:
      'Redeem a voucher at a merchant (the contract spells it voucher_redeemption; voucher_redemption is served too)',
    description:
      'Exactly once: of concurrent redemptions of one voucher one succeeds and the others get 458. With an Idempotency-Key (or X-CorrelationID) ' +
      'a repeat of the same redemption gets its answer again. When the payer FSP does not answer in time the answer is 202 Pending and a status job finishes it.',
  })
  @ApiOkResponse({ type: V1RedemptionResponseDto })
  @ApiResponse({
    status: 202,
    description: 'Pending: the payment to the merchant is being confirmed',
    type: V1RedemptionResponseDto,
  })
  @err(400, 'Invalid request')
  @err(458, 'Voucher already used')
  @err(459, 'Voucher expired')
  @err(460, 'Gov Stack Building Block does not exist')
  @err(461, 'Invalid voucher number')
  @err(462, 'Insufficient funds in funding a/c')
  @err(463, 'Cannot credit merchant')
  @err(464, 'Voucher is cancelled')
  @err(429, 'Too many invalid voucher numbers from this caller for this merchant')
  async redeem(
    @Body() dto: V1RedemptionDto,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') key?: string,
    @Headers('x-correlationid') correlation?: string,
  ): Promise<V1RedemptionResponseDto> {
    const out = await this.v1.redeem(ctx, dto, key ?? correlation);
    if (out.result_status === 'Pending') res.status(202);
    return out;
  }

  @Get('voucherstatuscheck/:voucherserialnumber')
  @RequireScopes('vouchers:read')
  @ApiOperation({ summary: 'Voucher status by serial number' })
  @ApiOkResponse({ type: V1StatusResponseDto })
  @err(456, 'Invalid voucher serial number')
  @err(458, 'Voucher number already used')
  @err(459, 'Voucher has expired')
  status(
    @Param('voucherserialnumber') serial: string,
    @Ctx() ctx: RequestContext,
  ): Promise<V1StatusResponseDto> {
    return this.v1.status(ctx, serial);
  }

  @Patch('voucherstatuscheck/:voucherserialnumber')
  @HttpCode(200)
  @RequireScopes('vouchers:issue')
  @ApiOperation({ summary: 'Cancel a voucher: its value goes back to the program' })
  @ApiOkResponse({ type: V1MessageDto, description: '{ "message": "Cancelled" }' })
  @err(400, 'Invalid request')
  @err(463, 'Invalid voucher (message Not Existing, or why it cannot be cancelled)')
  @err(464, 'Voucher is already cancelled')
  cancel(
    @Param('voucherserialnumber') serial: string,
    @Body() dto: V1CancelDto,
    @Ctx() ctx: RequestContext,
  ): Promise<V1MessageDto> {
    return this.v1.cancel(ctx, serial, dto);
  }
}
