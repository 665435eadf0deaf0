import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiBearerAuth,
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { P2gService } from './p2g.service';
import { PayerRtpResponseDto, BillerRtpRequestDto } from '../rtp/rtp.dto';
import { VoucherBillPaymentDto } from '../payments/payments.dto';

const PAYER_FI = [
  {
    name: 'X-PayerFI-Id',
    required: false,
    description: 'The calling payer FI (its code or BIC); PayerFI-Id is read too',
  },
  { name: 'X-CorrelationID', required: false },
];
const BILLER = [{ name: 'X-billerId', required: false, description: "The calling biller's ID" }];

const payerFiOf = (h: Record<string, string | string[] | undefined>) => {
  const v = h['x-payerfi-id'] ?? h['payerfi-id'] ?? h['x-payer fi-id'];
  return typeof v === 'string' && v ? v : undefined;
};

/**
 * The GovStack P2G contract (api-v3 P2G.yaml and the bill*, markBill*, *Rtp*, rtpStatus* and
 * voucherRedemptionforBillPayment YAMLs), payer FI and biller sides. Payer FIs and billers both POST to
 * /billTransferRequests (the YAMLs give the payment report and the biller's advice status the same path): the
 * caller's kind decides which it is.
 */
@ApiTags('P2G bill payments (GovStack)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller()
export class P2gController {
  constructor(private readonly p2g: P2gService) {}

  @Get('bills/:billId')
  @HttpCode(202)
  @RequireScopes('p2g:pay')
  @ApiOperation({ summary: 'Bill inquiry by a payer FI: routed to the biller by the bill ID prefix' })
  @ApiQuery({ name: 'fields', required: false, enum: ['inquiry'] })
  @ApiQuery({
    name: 'requestId',
    required: false,
    description:
      'The inquiry request ID (else the body requestId, else one is made up); the payment names it',
  })
  @ApiHeader(PAYER_FI[0])
  inquire(
    @Ctx() ctx: RequestContext,
    @Param('billId') billId: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Req() req: Request,
    @Query('fields') fields?: string,
    @Query('requestId') requestId?: string,
  ) {
    if (fields !== undefined && fields !== 'inquiry')
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'fields must be inquiry');
    const body = req.body as { requestId?: unknown } | undefined;
    const rid = requestId ?? (typeof body?.requestId === 'string' ? body.requestId : undefined);
    if (rid !== undefined && !/^[A-Za-z0-9._:-]{1,12}$/.test(rid))
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'requestId must be 1-12 letters, digits, . _ : or -',
      );
    return this.p2g.inquire(ctx, billId, rid, payerFiOf(headers));
  }

  @Post('billTransferRequests')
  @HttpCode(202)
  @RequireScopes()
  @ApiOperation({
    summary:
      'Payer FI: report a bill payment (billPaymentRequest.yml). Biller: the status of a mark-bill-paid advice (markBillPpaymentResponse.yml)',
  })
  @ApiBody({ schema: { type: 'object' } })
  @ApiHeader(PAYER_FI[0])
  billTransfer(
    @Ctx() ctx: RequestContext,
    @Body() body: unknown,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ) {
    return this.p2g.billTransfer(ctx, body, payerFiOf(headers));
  }

  @Post('voucherRedemption')
  @HttpCode(202)
  @RequireScopes('p2g:pay')
  @ApiOperation({ summary: 'Pay a bill with a voucher (voucherRedemptionforBillPayment.yml)' })
  @ApiHeader(PAYER_FI[0])
  voucher(
    @Ctx() ctx: RequestContext,
    @Body() dto: VoucherBillPaymentDto,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ) {
    return this.p2g.payWithVoucher(ctx, dto, payerFiOf(headers));
  }

  @Post('rtpRequest')
  @HttpCode(200)
  @RequireScopes('p2g:bill')
  @ApiOperation({
    summary: 'Biller: request to pay (billerRtpReq.yml), type 00 to a named payer FI, 01 by alias',
  })
  @ApiHeader({
    name: 'X-Callback-URL',
    required: true,
    description: "Where the payer FI's answer is posted (billerRtpResp)",
  })
  @ApiHeader(BILLER[0])
  rtpRequest(
    @Ctx() ctx: RequestContext,
    @Body() dto: BillerRtpRequestDto,
    @Headers('x-callback-url') callbackUrl?: string,
    @Headers('x-billerid') billerId?: string,
  ) {
    return this.p2g.requestToPay(ctx, dto, callbackUrl, billerId);
  }

  @Post('rtpResponse')
  @HttpCode(200)
  @RequireScopes('p2g:pay')
  @ApiOperation({ summary: "Payer FI: the payer's answer to a request to pay (payerRtpResponse.yml)" })
  @ApiHeader(PAYER_FI[0])
  rtpResponse(
    @Ctx() ctx: RequestContext,
    @Body() dto: PayerRtpResponseDto,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ) {
    return this.p2g.rtpResponse(ctx, dto, payerFiOf(headers));
  }

  @Get('transferRequests/:transferRequestId')
  @HttpCode(202)
  @RequireScopes('p2g:bill')
  @ApiOperation({ summary: 'Biller: status of its request to pay (rtpStatusUpdateRequest.yml)' })
  @ApiHeader(BILLER[0])
  rtpStatus(
    @Ctx() ctx: RequestContext,
    @Param('transferRequestId') id: string,
    @Headers('x-billerid') billerId?: string,
  ) {
    return this.p2g.rtpStatus(ctx, id, billerId);
  }
}
