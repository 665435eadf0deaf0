import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { formatAmount } from '@app/ledger/money';
import { actorOf, AppException, ErrorCode, hasScope, IdempotencyService, RequestContext } from '@app/platform';
import { CallingBbResolver } from '../domain/calling-bb.resolver';
import { formatSerial, Merchant, parseSerial, Voucher } from '../domain/voucher';
import { VoucherSecrets } from '../domain/voucher-secrets';
import { normalizeVoucherNumber } from '../domain/voucher-number';
import { V1_STATUS } from '../domain/voucher-state';
import { VoucherIssuanceService } from '../lifecycle/voucher-issuance.service';
import { VouchersRepository } from '../lifecycle/vouchers.repository';
import { MerchantsRepository } from '../merchants/merchants.repository';
import { MerchantsService } from '../merchants/merchants.service';
import { RedemptionService } from '../redemption/redemption.service';
import {
  V1ActivationDto,
  V1CancelDto,
  V1PreactivationDto,
  V1PreactivationResponseDto,
  V1RedemptionDto,
  V1RedemptionResponseDto,
} from './v1-vouchers.dto';

const bad = (message: string) => new AppException(ErrorCode.VALIDATION_FAILED, message);
const str = (v: unknown, field: string, max = 200): string => {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max)
    throw bad(`${field} must be a non-empty string of at most ${max} characters`);
  return v;
};

/** The v1 contract (VoucherAPIS.json) on top of the voucher engine. */
@Injectable()
export class V1VouchersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly bbs: CallingBbResolver,
    private readonly issuance: VoucherIssuanceService,
    private readonly vouchers: VouchersRepository,
    private readonly secrets: VoucherSecrets,
    private readonly merchants: MerchantsService,
    private readonly merchantsRepo: MerchantsRepository,
    private readonly redemption: RedemptionService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * A retried pre-activation must not take a second voucher: with an Idempotency-Key (or, v1 having no request
   * ID, the X-CorrelationID) the same body gets the same voucher back. The stored answer holds the voucher's ID,
   * never its number.
   */
  async preactivate(
    ctx: RequestContext,
    dto: V1PreactivationDto,
    key: string | undefined,
  ): Promise<V1PreactivationResponseDto> {
    const bb = await this.bbs.resolve(ctx.principal, dto.Gov_Stack_BB);
    const { group, minor } = await this.issuance.checkRequest(
      ctx.principal.tenantId,
      dto.voucher_group,
      dto.voucher_currency,
      dto.voucher_amount,
    );
    const actor = actorOf(ctx.principal);
    const take = async (m: import('typeorm').EntityManager) => {
      const [v] = await this.issuance.preactivate(m, group, minor, bb.id, actor, ctx.correlationId);
      return { status: 200, body: { voucherId: v.id } };
    };
    const { body } = await this.ds.transaction(async (m) => {
      if (!key) return take(m);
      const requestHash = createHash('sha256')
        .update(JSON.stringify([bb.id, group.id, minor.toString()]))
        .digest('hex');
      return this.idempotency.execute(
        m,
        { tenantId: ctx.principal.tenantId, scope: `vouchers.preactivate:${bb.id}`, key, requestHash },
        () => take(m),
      );
    });
    const v = (await this.vouchers.byId(body.voucherId))!;
    if (!v.numberEnc || !v.numberKeyId)
      throw new AppException(ErrorCode.CONFLICT, 'The voucher handed out earlier has been purged');
    return {
      voucher_number: this.secrets.open(v.numberEnc, v.numberKeyId),
      voucher_serial_number: formatSerial(v.serial),
      expiry_date_time: v.expiresAt.toISOString(),
    };
  }

  async activate(ctx: RequestContext, dto: V1ActivationDto): Promise<{ result_status: string }> {
    const bb = await this.bbs.resolve(ctx.principal, dto.Gov_Stack_BB);
    const serial = parseSerial(dto.voucher_serial_number);
    if (serial === undefined)
      throw new AppException(ErrorCode.VOUCHER_INVALID_SERIAL, 'Invalid voucher serial number');
    const [o] = await this.issuance.activate(
      ctx.principal.tenantId,
      bb.id,
      [serial],
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    if (o.failure) throw new AppException(o.failure.code, o.failure.reason);
    return { result_status: 'Activated' };
  }

  async redeem(
    ctx: RequestContext,
    dto: V1RedemptionDto,
    key: string | undefined,
  ): Promise<V1RedemptionResponseDto> {
    const bb = await this.bbs.resolve(ctx.principal, dto.Gov_Stack_BB);
    if (typeof dto.override !== 'boolean') throw bad('override must be true or false');
    const number = normalizeVoucherNumber(dto.voucher_number);
    if (!number) throw new AppException(ErrorCode.VOUCHER_INVALID_NUMBER, 'Invalid voucher number');
    const serial =
      dto.voucher_serial_number === undefined || dto.voucher_serial_number === null
        ? null
        : parseSerial(dto.voucher_serial_number);
    if (serial === undefined)
      throw new AppException(ErrorCode.VOUCHER_INVALID_SERIAL, 'Invalid voucher serial number');
    if (
      dto.override &&
      !ctx.principal.scopes.includes('*') &&
      !ctx.principal.scopes.includes('vouchers:override')
    )
      throw new AppException(ErrorCode.FORBIDDEN, 'override needs the vouchers:override scope');
    const merchant = await this.merchant(
      ctx.principal.tenantId,
      str(dto.merchant_name, 'merchant_name'),
      str(dto.merchant_bank_details, 'merchant_bank_details'),
    );
    const out = await this.redemption.redeem({
      tenantId: ctx.principal.tenantId,
      callerId: bb.id,
      actor: actorOf(ctx.principal),
      correlationId: ctx.correlationId,
      requestId: key ?? null,
      number,
      serial,
      merchant,
      merchantGroup: str(dto.merchant_voucher_group, 'merchant_voucher_group'),
      override: dto.override,
    });
    return {
      result_status: out.state === 'completed' ? 'Redeemed' : 'Pending',
      transaction_id: out.redemption.id,
      voucher_serial_number: formatSerial(out.voucher.serial),
      voucher_amount: formatAmount(out.voucher.amount, out.voucher.currency),
      voucher_currency: out.voucher.currency,
    };
  }

  /** Status by serial: the seven v1 words, and 458 / 459 for used and expired vouchers as the contract lists. */
  async status(
    ctx: RequestContext,
    rawSerial: string,
  ): Promise<{ voucher_status: string; voucher_amount: string }> {
    const serial = parseSerial(rawSerial);
    if (serial === undefined)
      throw new AppException(
        ErrorCode.VOUCHER_INVALID_SERIAL,
        'Invalid voucher serial number',
        undefined,
        456,
      );
    const v = await this.visible(ctx, serial);
    if (!v) return { voucher_status: 'Not Existing', voucher_amount: '0' };
    if (v.state === 'consumed')
      throw new AppException(ErrorCode.VOUCHER_ALREADY_USED, 'Voucher number already used');
    if (v.state === 'expired') throw new AppException(ErrorCode.VOUCHER_EXPIRED, 'Voucher has expired');
    // Cancelled has no word of its own in v1; Blocked is what a caller may do nothing with (docs/vouchers.md).
    const word = v.state === 'cancelled' ? 'Blocked' : V1_STATUS[v.state];
    return { voucher_status: word, voucher_amount: formatAmount(v.amount, v.currency) };
  }

  async cancel(ctx: RequestContext, rawSerial: string, dto: V1CancelDto): Promise<{ message: string }> {
    const bb = await this.bbs.resolve(ctx.principal, dto.Gov_Stack_BB);
    const serial = parseSerial(rawSerial);
    if (serial === undefined) throw bad('voucherserialnumber must be the voucher serial number');
    if (dto.voucherserialnumber !== undefined && parseSerial(dto.voucherserialnumber) !== serial)
      throw bad('voucherserialnumber in the body differs from the one in the path');
    const holder = hasScope(ctx.principal, 'vouchers:admin') ? null : bb.id;
    const [o] = await this.issuance.cancel(
      ctx.principal.tenantId,
      holder,
      [serial],
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    if (o.failure) throw new AppException(o.failure.code, o.failure.reason);
    return { message: 'Cancelled' };
  }

  /** A building block sees the vouchers it holds; an operator or the mediator sees all. */
  private async visible(ctx: RequestContext, serial: bigint): Promise<Voucher | undefined> {
    const v = await this.vouchers.bySerial(ctx.principal.tenantId, serial);
    if (!v) return undefined;
    const p = ctx.principal;
    const all = p.scopes.includes('*') || ['operator', 'information_mediator', 'sandbox'].includes(p.kind);
    return all || v.holderId === p.participantId ? v : undefined;
  }

  private async merchant(tenantId: string, name: string, details: string): Promise<Merchant> {
    const found = await this.merchantsRepo.byNameAndAddress(
      tenantId,
      name,
      this.merchants.addressHash(details),
    );
    if (found.length !== 1)
      throw new AppException(
        ErrorCode.VOUCHER_MERCHANT_NOT_CREDITED,
        found.length
          ? `Cannot credit merchant: '${name}' is ambiguous`
          : `Cannot credit merchant: no merchant '${name}' with these bank details`,
      );
    return found[0];
  }
}
