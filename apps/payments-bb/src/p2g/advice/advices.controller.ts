import { Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { actorOf, AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { BillPayment } from '../payments/bill-payment';
import { BillPaymentsRepository } from '../payments/bill-payments.repository';
import { AdviceQueue } from './advice.queue';
import { AdviceService } from './advice.service';

const STATUSES = ['pending', 'accepted', 'acknowledged', 'rejected', 'failed', 'internal'];

function view(p: BillPayment) {
  return {
    paymentId: p.id,
    receiptNumber: p.receiptNo,
    billId: p.billId,
    paymentReference: p.transactionId,
    amount: p.amount.toString(),
    currency: p.currency,
    status: p.status,
    rejectReason: p.rejectReason,
    adviceStatus: p.adviceStatus,
    attempts: p.adviceAttempts,
    nextAttemptAt: p.adviceNextAt,
    lastStatusCode: p.adviceLastStatus,
    lastError: p.adviceLastError,
    doneAt: p.adviceDoneAt,
    createdAt: p.createdAt,
  };
}

/** The store-and-forward queue as operators see it: what is waiting for which biller, and why. */
@ApiTags('P2G bill payments (operations)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('p2g/advices')
export class AdvicesController {
  constructor(
    private readonly payments: BillPaymentsRepository,
    private readonly queue: AdviceQueue,
    private readonly advice: AdviceService,
  ) {}

  @Get()
  @RequireScopes('billers:read')
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Ctx() ctx: RequestContext, @Query('status') status?: string, @Query('limit') limit?: string) {
    if (status !== undefined && !STATUSES.includes(status))
      throw new AppException(ErrorCode.VALIDATION_FAILED, `status must be one of ${STATUSES.join(', ')}`);
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'limit must be 1-1000');
    return (await this.payments.listAdvices(ctx.principal.tenantId, status, n)).map(view);
  }

  @Post(':paymentId/resend')
  @RequireScopes('billers:admin')
  @ApiOperation({ summary: 'Send a failed (or waiting) advice again now' })
  async resend(@Ctx() ctx: RequestContext, @Param('paymentId', ParseUUIDPipe) id: string) {
    const p = await this.advice.requeue(ctx.principal.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
    if (!p) throw new AppException(ErrorCode.P2G_STATE_CONFLICT, `Payment ${id} has no advice left to send`);
    await this.queue.send(p.id, p.adviceAttempts, 0);
    return view(p);
  }
}
