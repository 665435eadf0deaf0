import { Body, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { returnedRows } from '@app/database';
import { Public } from '@app/platform';
import { digitError, DigitErrors } from '../envelope/digit-exception';
import { envelope, epoch, Obj, objects, tenantParam, text, TENANT_ID } from '../envelope/read';
import { responseInfo } from '../envelope/response-info';
import { toMinor } from '../money';
import { DigitAuthService } from '../users/digit-auth.service';

const FINANCE = ['SUPERUSER', 'SYS_INTEGRATOR_FINANCE'];
const STATUSES = ['APPROVED', 'NEW', 'CANCELLED', 'REJECTED'];

interface RemittanceRow {
  id: string;
  tenant_id: string;
  reference_number: string;
  reference_date: string;
  body: Obj;
  status: string;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

const remittanceView = (r: RemittanceRow) => ({
  ...r.body,
  id: r.id,
  tenantId: r.tenant_id,
  referenceNumber: r.reference_number,
  referenceDate: Number(r.reference_date),
  status: r.status,
  auditDetails: {
    createdBy: r.created_by,
    createdTime: r.created_at.getTime(),
    lastModifiedTime: r.updated_at.getTime(),
  },
});

/**
 * collection-services' finance-integration APIs: remittances (what was banked, against which receipts and
 * instruments) and the bank account each business service's collections go to. DIGIT accepts any receipt number in
 * a remittance; here every one must be a receipt of the tenant, and a reference number is used once.
 */
@ApiTags('DIGIT collection')
@Controller('collection-services')
export class FinanceController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly auth: DigitAuthService,
  ) {}

  @Public()
  @Post('remittances/_create')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async createRemittances(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const items = objects(body.Remittance ?? body.Remittances, 'Remittance', 100);
    const errors = new DigitErrors();
    const parsed: {
      tenantId: string;
      referenceNumber: string;
      referenceDate: number;
      receipts: string[];
      body: Obj;
    }[] = [];
    for (const [i, o] of items.entries()) {
      const tenantId = text(o, 'tenantId', errors, { required: true, pattern: TENANT_ID }) ?? '';
      const referenceNumber =
        text(o, 'referenceNumber', errors, {
          required: true,
          max: 64,
          label: `Remittance[${i}].referenceNumber`,
        }) ?? '';
      const referenceDate = epoch(o, 'referenceDate', errors, { required: true }) ?? 0;
      const receipts = (Array.isArray(o.remittanceReceipts) ? (o.remittanceReceipts as Obj[]) : []).map((r) =>
        String(r.receipt ?? ''),
      );
      const details = Array.isArray(o.remittanceDetails) ? (o.remittanceDetails as Obj[]) : [];
      for (const [j, d] of details.entries()) {
        if (typeof d.chartOfAccount !== 'string' || !d.chartOfAccount)
          errors.add('INVALID_REMITTANCE', `remittanceDetails[${j}].chartOfAccount is required`);
        for (const k of ['creditAmount', 'debitAmount'])
          if (d[k] !== undefined && d[k] !== null)
            toMinor(d[k], `remittanceDetails[${j}].${k}`, 'INR', { allowZero: true });
      }
      const instruments = Array.isArray(o.remittanceInstruments) ? (o.remittanceInstruments as Obj[]) : [];
      if (instruments.some((x) => typeof x.instrument !== 'string' || !x.instrument))
        errors.add('INVALID_REMITTANCE', 'remittanceInstruments[].instrument is required');
      parsed.push({ tenantId, referenceNumber, referenceDate, receipts, body: o });
    }
    errors.throwIfAny();
    let user;
    for (const t of new Set(parsed.map((p) => p.tenantId)))
      user = await this.auth.authorize(req, requestInfo, t, FINANCE);
    const rows = await this.ds.transaction(async (m) => {
      const out: RemittanceRow[] = [];
      for (const p of parsed) {
        if (p.receipts.length) {
          const known = (await m.query(
            `SELECT receipt_number FROM digit_payment_details WHERE tenant_id = $1 AND receipt_number = ANY($2::text[])`,
            [p.tenantId, p.receipts],
          )) as { receipt_number: string }[];
          const missing = p.receipts.filter((r) => !known.some((k) => k.receipt_number === r));
          if (missing.length)
            throw digitError(
              'INVALID_RECEIPT_NUMBER',
              `Unknown receipt(s): ${missing.slice(0, 10).join(', ')}`,
            );
        }
        const {
          id: _i,
          status: _s,
          tenantId: _t,
          referenceNumber: _r,
          referenceDate: _d,
          auditDetails: _a,
          ...rest
        } = p.body;
        const [row] = (await m.query(
          `INSERT INTO digit_remittances (tenant_id, reference_number, reference_date, body, status, created_by)
           VALUES ($1, $2, $3, $4::jsonb, 'APPROVED', $5) ON CONFLICT (tenant_id, reference_number) DO NOTHING RETURNING *`,
          [p.tenantId, p.referenceNumber, p.referenceDate, JSON.stringify(rest), user!.uuid],
        )) as RemittanceRow[];
        if (!row) throw digitError('DUPLICATE_REMITTANCE', `Remittance ${p.referenceNumber} already exists`);
        out.push(row);
      }
      return out;
    });
    return { ResponseInfo: responseInfo(requestInfo), Remittance: rows.map(remittanceView) };
  }

  @Public()
  @Post('remittances/_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async searchRemittances(@Req() req: Request, @Body() raw: unknown, @Query() q: Record<string, unknown>) {
    const { requestInfo } = envelope(raw);
    const tenantId = tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, FINANCE);
    const rows = (await this.ds.query(
      `SELECT * FROM digit_remittances WHERE tenant_id = $1 AND ($2::text IS NULL OR reference_number = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY created_at DESC LIMIT 25`,
      [
        tenantId,
        typeof q.referenceNumber === 'string' ? q.referenceNumber : null,
        typeof q.status === 'string' ? q.status : null,
      ],
    )) as RemittanceRow[];
    return { ResponseInfo: responseInfo(requestInfo), Remittance: rows.map(remittanceView) };
  }

  @Public()
  @Post('remittances/_update')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async updateRemittances(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const items = objects(body.Remittance ?? body.Remittances, 'Remittance', 100);
    const rows: RemittanceRow[] = [];
    for (const o of items) {
      const tenantId = tenantParam(o.tenantId);
      await this.auth.authorize(req, requestInfo, tenantId, FINANCE);
      const status = typeof o.status === 'string' ? o.status : undefined;
      if (status && !STATUSES.includes(status))
        throw digitError('INVALID_REMITTANCE_STATUS', `status must be one of ${STATUSES.join(', ')}`);
      const result = (await this.ds.query(
        `UPDATE digit_remittances SET status = COALESCE($3, status),
                body = body || jsonb_strip_nulls(jsonb_build_object('remarks', $4::text, 'reasonForDelay', $5::text)), updated_at = now()
         WHERE tenant_id = $1 AND id::text = $2 RETURNING *`,
        [
          tenantId,
          String(o.id ?? ''),
          status ?? null,
          typeof o.remarks === 'string' ? o.remarks : null,
          typeof o.reasonForDelay === 'string' ? o.reasonForDelay : null,
        ],
      )) as unknown;
      const updated = returnedRows<RemittanceRow>(result)[0];
      if (!updated) throw digitError('INVALID_REMITTANCE_ID', `No remittance ${String(o.id)}`);
      rows.push(updated);
    }
    return { ResponseInfo: responseInfo(requestInfo), Remittance: rows.map(remittanceView) };
  }

  @Public()
  @Post('bankAccountServiceMapping/_create')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Map business services to the bank account their collections go to; a pair is refused twice (egcl_004)',
  })
  @ApiBody({ schema: { type: 'object' } })
  async createMappings(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const items = objects(
      body.BankAccountServiceMapping ?? body.bankAccountServiceMapping,
      'BankAccountServiceMapping',
      100,
    );
    const errors = new DigitErrors();
    const parsed = items.map((o) => ({
      tenantId: text(o, 'tenantId', errors, { required: true, pattern: TENANT_ID }) ?? '',
      businessDetails: text(o, 'businessDetails', errors, { required: true, max: 64 }) ?? '',
      bankAccount: text(o, 'bankAccount', errors, { required: true, max: 64 }) ?? '',
      bank: text(o, 'bank', errors, { max: 128 }) ?? null,
      bankBranch: text(o, 'bankBranch', errors, { max: 128 }) ?? null,
    }));
    errors.throwIfAny();
    let user;
    for (const t of new Set(parsed.map((p) => p.tenantId)))
      user = await this.auth.authorize(req, requestInfo, t, ['SUPERUSER']);
    const rows = await this.ds.transaction(async (m) => {
      const out: Obj[] = [];
      for (const p of parsed) {
        const [row] = (await m.query(
          `INSERT INTO digit_bank_account_mappings (tenant_id, business_details, bank_account, bank, bank_branch, created_by)
           VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (tenant_id, business_details, bank_account) DO NOTHING RETURNING id`,
          [p.tenantId, p.businessDetails, p.bankAccount, p.bank, p.bankBranch, user!.uuid],
        )) as { id: string }[];
        if (!row)
          throw digitError(
            'egcl_004',
            `${p.businessDetails} is already mapped to bank account ${p.bankAccount}`,
          );
        out.push({ id: row.id, ...p });
      }
      return out;
    });
    return { ResponseInfo: responseInfo(requestInfo), BankAccountServiceMapping: rows };
  }

  @Public()
  @Post('bankAccountServiceMapping/_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async searchMappings(@Req() req: Request, @Body() raw: unknown, @Query() q: Record<string, unknown>) {
    const { requestInfo } = envelope(raw);
    const tenantId = tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, [
      'SUPERUSER',
      'EMPLOYEE',
      'SYS_INTEGRATOR_FINANCE',
    ]);
    const rows = (await this.ds.query(
      `SELECT id, tenant_id AS "tenantId", business_details AS "businessDetails", bank_account AS "bankAccount", bank, bank_branch AS "bankBranch"
       FROM digit_bank_account_mappings WHERE tenant_id = $1 AND ($2::text IS NULL OR business_details = $2) AND ($3::text IS NULL OR bank_account = $3)
       ORDER BY business_details, bank_account`,
      [
        tenantId,
        typeof q.businessDetails === 'string' ? q.businessDetails : null,
        typeof q.bankAccount === 'string' ? q.bankAccount : null,
      ],
    )) as Obj[];
    return { ResponseInfo: responseInfo(requestInfo), BankAccountServiceMapping: rows };
  }
}
