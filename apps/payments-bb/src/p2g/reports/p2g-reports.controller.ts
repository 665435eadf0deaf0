import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { formatAmount } from '@app/ledger/money';
import { AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { toCsv } from './csv';
import { P2gReportsRepository, ReportFilter } from './p2g-reports.repository';

const PAGE = 5_000;

function filterOf(
  ctx: RequestContext,
  q: { date?: string; billerId?: string; currency?: string },
): ReportFilter {
  const date = q.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)))
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'date must be YYYY-MM-DD');
  if (q.currency !== undefined && !/^[A-Z]{3}$/.test(q.currency))
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'currency must be an ISO 4217 code');
  return { tenantId: ctx.principal.tenantId, date, billerId: q.billerId, currency: q.currency };
}

@ApiTags('P2G reports')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('p2g/reports')
export class P2gReportsController {
  constructor(private readonly reports: P2gReportsRepository) {}

  @Get('settlement')
  @RequireScopes('p2g:reports')
  @ApiOperation({
    summary:
      'Settlement log for a UTC day: per biller, payer FI and currency, what was paid (rejected payments apart); detail=true lists every payment',
  })
  @ApiQuery({ name: 'date', required: false, description: 'YYYY-MM-DD (UTC), default today' })
  @ApiQuery({ name: 'billerId', required: false })
  @ApiQuery({ name: 'currency', required: false })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiQuery({ name: 'detail', required: false, enum: ['true', 'false'] })
  async settlement(
    @Ctx() ctx: RequestContext,
    @Res() res: Response,
    @Query('date') date?: string,
    @Query('billerId') billerId?: string,
    @Query('currency') currency?: string,
    @Query('format') format?: string,
    @Query('detail') detail?: string,
  ): Promise<void> {
    if (format !== undefined && format !== 'json' && format !== 'csv')
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'format must be json or csv');
    const f = filterOf(ctx, { date, billerId, currency });
    if (detail === 'true') return this.lines(res, f, format === 'csv');
    const rows = (await this.reports.settlement(f)).map((r) => ({
      date: f.date,
      billerId: r.biller_id,
      billerName: r.biller_name,
      settlementBankCode: r.settlement_bank_code,
      settlementAccount: r.settlement_account,
      payerFi: r.payer_fi,
      currency: r.currency,
      payments: r.payments,
      amount: r.amount,
      amountDecimal: formatAmount(BigInt(r.amount), r.currency),
      awaitingBiller: r.awaiting_biller,
      rejected: r.rejected,
      rejectedAmount: r.rejected_amount,
    }));
    if (format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="p2g-settlement-${f.date}.csv"`);
      res.send(toCsv(rows, SETTLEMENT_COLUMNS));
      return;
    }
    res.json({ date: f.date, rows });
  }

  @Get('reconciliation')
  @RequireScopes('p2g:reports')
  @ApiOperation({
    summary: "A UTC day's bill payments checked against their ledger postings; lists what does not match",
  })
  @ApiQuery({ name: 'date', required: false })
  async reconciliation(@Ctx() ctx: RequestContext, @Query('date') date?: string) {
    const f = filterOf(ctx, { date });
    const r = await this.reports.reconciliation(f);
    return { date: f.date, paymentsChecked: r.checked, issues: r.issues, balanced: r.issues.length === 0 };
  }

  /** Every payment of the day, a page at a time: memory stays flat however busy the day was. */
  private async lines(res: Response, f: ReportFilter, csv: boolean): Promise<void> {
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/json');
    if (csv) res.setHeader('Content-Disposition', `attachment; filename="p2g-payments-${f.date}.csv"`);
    res.write(csv ? `${LINE_COLUMNS.join(',')}\r\n` : `{"date":"${f.date}","payments":[`);
    let after: string | null = null;
    let first = true;
    for (;;) {
      const page = await this.reports.lines(f, after, PAGE);
      const rows = page.map((l) => ({
        receiptNumber: l.receipt_no,
        createdAt: l.created_at,
        billerId: l.biller_id,
        payerFi: l.payer_fi,
        billId: l.bill_id,
        paymentReference: l.transaction_id,
        channel: l.channel,
        amount: l.amount,
        currency: l.currency.trim(),
        status: l.status,
        adviceStatus: l.advice_status,
      }));
      if (csv) {
        if (rows.length) res.write(toCsv(rows, LINE_COLUMNS).split('\r\n').slice(1).join('\r\n'));
      } else
        for (const r of rows) {
          res.write(`${first ? '' : ','}${JSON.stringify(r)}`);
          first = false;
        }
      if (page.length < PAGE) break;
      after = page[page.length - 1].receipt_no;
    }
    res.end(csv ? '' : ']}');
  }
}

const SETTLEMENT_COLUMNS = [
  'date',
  'billerId',
  'billerName',
  'settlementBankCode',
  'settlementAccount',
  'payerFi',
  'currency',
  'payments',
  'amount',
  'amountDecimal',
  'awaitingBiller',
  'rejected',
  'rejectedAmount',
];

const LINE_COLUMNS = [
  'receiptNumber',
  'createdAt',
  'billerId',
  'payerFi',
  'billId',
  'paymentReference',
  'channel',
  'amount',
  'currency',
  'status',
  'adviceStatus',
];
