import { Body, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isCurrency } from '@app/ledger/money';
import { Public } from '@app/platform';
import { DigitErrors } from '../envelope/digit-exception';
import { bool, envelope, list, objects, tenantParam, text, TENANT_ID } from '../envelope/read';
import { responseInfo } from '../envelope/response-info';
import { rupees, toMinor } from '../money';
import { ensureTenants } from '../tenants';
import { DigitAuthService } from '../users/digit-auth.service';
import { BusinessService, MastersRepository, TaxHead } from './masters.repository';

const PAYMENT_MODES = [
  'CASH',
  'CHEQUE',
  'DD',
  'ONLINE',
  'CARD',
  'OFFLINE_NEFT',
  'OFFLINE_RTGS',
  'ONLINE_NEFT',
  'ONLINE_RTGS',
  'POSTAL_ORDER',
];
const CATEGORIES = [
  'TAX',
  'FEE',
  'CHARGES',
  'REBATE',
  'ADVANCE_COLLECTION',
  'PENALTY',
  'FINES',
  'EXEMPTION',
  'INTEREST',
];
const CODE = /^[A-Za-z0-9._-]{1,64}$/;
const ANY_ROLE = ['CITIZEN', 'EMPLOYEE', 'SUPERUSER', 'COLL_OPERATOR'];

export const bsView = (b: BusinessService) => ({
  tenantId: b.tenantId,
  businessService: b.businessService,
  code: b.code,
  collectionModesNotAllowed: b.collectionModesNotAllowed,
  partPaymentAllowed: b.partPaymentAllowed,
  minAmountPayable: rupees(b.minAmountPayable, b.currency),
  isAdvanceAllowed: b.advanceAllowed,
  demandUpdateTime: b.demandUpdateTime,
  billExpiryDays: b.billExpiryDays,
  currency: b.currency,
});

/**
 * The billing masters DIGIT keeps in MDMS, managed here by API (SUPERUSER) in the envelope of billing-service:
 * business services (part payment, advance, minimum payable, collection modes not allowed) and tax heads (code,
 * category, order). The same JSON as MDMS's BillingService.BusinessService can be posted as is.
 */
@ApiTags('DIGIT billing')
@Controller('billing-service')
export class MastersController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly masters: MastersRepository,
    private readonly auth: DigitAuthService,
  ) {}

  @Public()
  @Post('businessservices/_create')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create or update business services (SUPERUSER)' })
  @ApiBody({ schema: { type: 'object' } })
  async createBusinessServices(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const items = objects(body.BusinessServiceDetails ?? body.BusinessService, 'BusinessServiceDetails');
    const errors = new DigitErrors();
    const parsed: BusinessService[] = items.map((o) => {
      const currency = text(o, 'currency', errors, { pattern: /^[A-Z]{3}$/ }) ?? 'INR';
      if (!isCurrency(currency)) errors.add('INVALID_CURRENCY', `Unknown currency ${currency}`);
      const modes = Array.isArray(o.collectionModesNotAllowed) ? o.collectionModesNotAllowed.map(String) : [];
      if (modes.some((m) => !PAYMENT_MODES.includes(m)))
        errors.add('INVALID_PAYMENTMODE', 'collectionModesNotAllowed holds an unknown payment mode');
      const expiryDays = o.billExpiryDays === undefined ? 30 : Number(o.billExpiryDays);
      if (!Number.isInteger(expiryDays) || expiryDays < 1 || expiryDays > 3650)
        errors.add('INVALID_REQUEST', 'billExpiryDays must be 1-3650');
      return {
        tenantId: text(o, 'tenantId', errors, { required: true, pattern: TENANT_ID }) ?? '',
        code: text(o, 'code', errors, { required: true, pattern: CODE }) ?? '',
        businessService: text(o, 'businessService', errors, { required: true, max: 256 }) ?? '',
        partPaymentAllowed: bool(o, 'partPaymentAllowed', errors),
        advanceAllowed: bool(o, 'isAdvanceAllowed', errors),
        minAmountPayable:
          o.minAmountPayable === undefined || o.minAmountPayable === null
            ? 0n
            : toMinor(o.minAmountPayable, 'minAmountPayable', isCurrency(currency) ? currency : 'INR', {
                allowZero: true,
              }),
        collectionModesNotAllowed: modes,
        demandUpdateTime: Number(o.demandUpdateTime ?? 86_400_000) || 86_400_000,
        billExpiryDays: expiryDays,
        currency,
      };
    });
    errors.throwIfAny();
    for (const t of new Set(parsed.map((p) => p.tenantId)))
      await this.auth.authorize(req, requestInfo, t, ['SUPERUSER']);
    await this.ds.transaction(async (m) => {
      await ensureTenants(
        m,
        parsed.map((p) => p.tenantId),
      );
      await this.masters.upsertBusinessServices(m, parsed);
    });
    return { ResponseInfo: responseInfo(requestInfo), BusinessServiceDetails: parsed.map(bsView) };
  }

  @Public()
  @Post('businessservices/_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async searchBusinessServices(
    @Req() req: Request,
    @Body() raw: unknown,
    @Query() q: Record<string, unknown>,
  ) {
    const { requestInfo } = envelope(raw);
    const tenantId = tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, ANY_ROLE);
    const found = await this.masters.businessServices(tenantId, list(q.businessServices ?? q.code));
    return { ResponseInfo: responseInfo(requestInfo), BusinessServiceDetails: found.map(bsView) };
  }

  @Public()
  @Post('taxheads/_create')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create or update tax heads (SUPERUSER)' })
  @ApiBody({ schema: { type: 'object' } })
  async createTaxHeads(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const items = objects(body.TaxHeadMasters ?? body.TaxHeadMaster, 'TaxHeadMasters', 500);
    const errors = new DigitErrors();
    const parsed: TaxHead[] = items.map((o) => {
      const category = text(o, 'category', errors, { required: true }) ?? '';
      if (category && !CATEGORIES.includes(category))
        errors.add('INVALID_TAXHEAD_CATEGORY', `Unknown category ${category}`);
      const order = o.order === undefined ? 0 : Number(o.order);
      if (!Number.isInteger(order)) errors.add('INVALID_REQUEST', 'order must be an integer');
      return {
        tenantId: text(o, 'tenantId', errors, { required: true, pattern: TENANT_ID }) ?? '',
        service: text(o, 'service', errors, { required: true, pattern: CODE }) ?? '',
        code: text(o, 'code', errors, { required: true, pattern: CODE }) ?? '',
        name: text(o, 'name', errors, { required: true, max: 256 }) ?? '',
        category,
        order,
        isDebit: bool(o, 'isDebit', errors),
      };
    });
    errors.throwIfAny();
    for (const t of new Set(parsed.map((p) => p.tenantId)))
      await this.auth.authorize(req, requestInfo, t, ['SUPERUSER']);
    await this.ds.transaction((m) => this.masters.upsertTaxHeads(m, parsed));
    return { ResponseInfo: responseInfo(requestInfo), TaxHeadMasters: parsed };
  }

  @Public()
  @Post('taxheads/_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async searchTaxHeads(@Req() req: Request, @Body() raw: unknown, @Query() q: Record<string, unknown>) {
    const { requestInfo } = envelope(raw);
    const tenantId = tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, ANY_ROLE);
    const service = typeof q.service === 'string' ? q.service : undefined;
    return {
      ResponseInfo: responseInfo(requestInfo),
      TaxHeadMasters: await this.masters.taxHeads(tenantId, service),
    };
  }
}
