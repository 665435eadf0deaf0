import { Body, Controller, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '@app/platform';
import { digitError, DigitErrors } from '../envelope/digit-exception';
import { envelope, list } from '../envelope/read';
import { responseInfo } from '../envelope/response-info';
import { PayerData } from '../payer-data';
import { DigitAuthService } from '../users/digit-auth.service';
import { hasRoleFor } from '../users/digit-user';
import { readPayment } from './payment-input';
import { paymentView } from './payment-view';
import { PaymentWorkflowService } from './payment-workflow.service';
import { PaymentSearch, DigitPaymentsRepository } from './payments.repository';
import { DigitPaymentsService } from './payments.service';

const COLLECTORS = [
  'EMPLOYEE',
  'SUPERUSER',
  'COLL_OPERATOR',
  'BANK_COLL_OPERATOR',
  'CSC_COLL_OPERATOR',
  'SYSTEM',
];
const SEARCHERS = ['CITIZEN', ...COLLECTORS];
const WORKFLOW = ['SUPERUSER', 'EMPLOYEE'];

/** collection-services/payments, in DIGIT's envelope. */
@ApiTags('DIGIT collection')
@Controller('collection-services/payments')
export class CollectionController {
  constructor(
    private readonly payments: DigitPaymentsService,
    private readonly repo: DigitPaymentsRepository,
    private readonly workflow: PaymentWorkflowService,
    private readonly auth: DigitAuthService,
    private readonly payers: PayerData,
  ) {}

  @Public()
  @Post('_create')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a payment of one or more bills; one receipt per bill' })
  @ApiBody({ schema: { type: 'object' } })
  async create(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const tenantId = this.tenantOf(body);
    const user = await this.auth.authorize(req, requestInfo, tenantId, COLLECTORS);
    const input = readPayment(body, new DigitErrors());
    const r = await this.payments.create(user, input, body.Payment);
    return { ResponseInfo: responseInfo(requestInfo), Payments: [paymentView(r.payment)] };
  }

  @Public()
  @Post('_validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Every check of _create, nothing written' })
  @ApiBody({ schema: { type: 'object' } })
  async validate(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const tenantId = this.tenantOf(body);
    await this.auth.authorize(req, requestInfo, tenantId, SEARCHERS);
    await this.payments.validate(readPayment(body, new DigitErrors()));
    return { ResponseInfo: responseInfo(requestInfo), Payments: [body.Payment] };
  }

  @Public()
  @Post('_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async search(@Req() req: Request, @Body() raw: unknown, @Query() q: Record<string, unknown>) {
    return this.doSearch(req, raw, q);
  }

  @Public()
  @Post('_plainsearch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pages through every payment of the tenant, oldest first (SUPERUSER)' })
  @ApiBody({ schema: { type: 'object' } })
  async plainSearch(@Req() req: Request, @Body() raw: unknown, @Query() q: Record<string, unknown>) {
    const { requestInfo } = envelope(raw);
    const tenantId = this.tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, ['SUPERUSER']);
    const found = await this.repo.search(
      { tenantId, tenantPrefix: true, ...this.page(q, 100, 500) },
      undefined,
      'p.created_at, p.id',
    );
    return { ResponseInfo: responseInfo(requestInfo), Payments: found.map(paymentView) };
  }

  @Public()
  @Post(':moduleName/_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async moduleSearch(
    @Req() req: Request,
    @Body() raw: unknown,
    @Query() q: Record<string, unknown>,
    @Param('moduleName') moduleName: string,
  ) {
    return this.doSearch(req, raw, q, moduleName);
  }

  @Public()
  @Post(':moduleName/_workflow')
  @HttpCode(200)
  @ApiOperation({ summary: 'CANCEL, DISHONOUR or REMIT payments' })
  @ApiBody({ schema: { type: 'object' } })
  async runWorkflow(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const w = this.workflow.read(body);
    const user = await this.auth.authorize(req, requestInfo, w.tenantId, WORKFLOW);
    const after = await this.workflow.apply(user, w);
    return { ResponseInfo: responseInfo(requestInfo), Payments: after.map(paymentView) };
  }

  private async doSearch(req: Request, raw: unknown, q: Record<string, unknown>, moduleName?: string) {
    const { requestInfo } = envelope(raw);
    const tenantId = this.tenantParam(q.tenantId ?? list(q.tenantIds)?.[0]);
    const user = await this.auth.authorize(req, requestInfo, tenantId, SEARCHERS);
    if (!moduleName && user.type === 'EMPLOYEE')
      throw digitError('EGCL_URI_EXCEPTION', 'Employees search through /payments/{moduleName}/_search');
    const services = list(q.businessServices) ?? list(q.businessService);
    const f: PaymentSearch = {
      tenantId,
      tenantPrefix: !tenantId.includes('.'),
      ids: list(q.ids),
      billIds: list(q.billIds),
      receiptNumbers: list(q.receiptNumbers),
      statuses: list(q.status),
      instrumentStatuses: list(q.instrumentStatus),
      paymentModes: list(q.paymentModes),
      payerIds: list(q.payerIds),
      consumerCodes: list(q.consumerCodes),
      businessServices: moduleName ? [...new Set([...(services ?? []), moduleName])] : services,
      transactionNumber: typeof q.transactionNumber === 'string' ? q.transactionNumber : undefined,
      mobileHash: typeof q.mobileNumber === 'string' ? this.payers.mobileHash(q.mobileNumber) : undefined,
      fromDate: this.number(q.fromDate),
      toDate: this.number(q.toDate),
      ...this.page(q, 30, 100),
    };
    // A citizen sees its own payments only (DIGIT's check is commented out).
    if (user.type === 'CITIZEN' && !hasRoleFor(user, tenantId, COLLECTORS)) {
      // Paid by this citizen: its mobile number on the payment, or the citizen as payer.
      if (user.mobileNumber) f.mobileHash = this.payers.mobileHash(user.mobileNumber);
      else f.payerIds = [user.uuid];
    }
    if (q.isCountRequest === 'true') {
      if (!f.businessServices)
        throw digitError('INVALID_SEARCH', 'A count needs tenantId and businessServices');
      return { ResponseInfo: responseInfo(requestInfo), Count: await this.repo.count(f) };
    }
    const found = await this.repo.search(f);
    return { ResponseInfo: responseInfo(requestInfo), Payments: found.map(paymentView) };
  }

  private tenantOf(body: Record<string, unknown>): string {
    const p = body.Payment as Record<string, unknown> | undefined;
    return this.tenantParam(p?.tenantId);
  }

  private tenantParam(v: unknown): string {
    if (typeof v !== 'string' || !/^[a-z][a-z0-9]*(\.[a-z0-9]+)?$/.test(v))
      throw digitError('INVALID_TENANT', 'tenantId is required (e.g. pb.amritsar)');
    return v;
  }

  private number(v: unknown): number | undefined {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw digitError('INVALID_SEARCH', 'dates are epoch milliseconds');
    return n;
  }

  private page(q: Record<string, unknown>, fallback: number, max: number) {
    const limit = q.limit === undefined ? fallback : Number(q.limit);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0)
      throw digitError('INVALID_SEARCH', 'limit and offset must be whole numbers');
    return { limit: Math.min(limit, max), offset };
  }
}
