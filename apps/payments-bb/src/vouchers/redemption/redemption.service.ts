import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { backoffDelayMs } from '@app/callbacks';
import { Actor, AppConfig, AppException, ErrorCode } from '@app/platform';
import {
  CreditTransferResult,
  FspCallError,
  FspConnector,
  FspEndpoint,
} from '../../bulk/connector/fsp-connector';
import { FspEndpoints } from '../../bulk/connector/fsp-endpoints';
import { Program } from '../../bulk/programs/program';
import { ProgramsRepository } from '../../bulk/programs/programs.repository';
import { Merchant, Voucher, VoucherGroup } from '../domain/voucher';
import { VoucherSecrets } from '../domain/voucher-secrets';
import { hasValidCheckDigit } from '../domain/voucher-number';
import { VoucherGroupsRepository } from '../groups/voucher-groups.repository';
import { VOUCHER_SYSTEM as SYSTEM_ACTOR } from '../lifecycle/voucher-ledger.service';
import { VouchersRepository } from '../lifecycle/vouchers.repository';
import { MerchantsRepository } from '../merchants/merchants.repository';
import { MerchantsService } from '../merchants/merchants.service';
import { GuessThrottle } from './guess-throttle';
import { RedemptionCommitter } from './redemption-committer';
import { Redemption, RedemptionsRepository } from './redemptions.repository';
import { VoucherQueue } from './voucher.queue';

export interface RedeemInput {
  tenantId: string;
  callerId: string | null;
  actor: Actor;
  correlationId?: string;
  /** A key the caller gives for this redemption (v3 requestID, Idempotency-Key): its repeat is answered, not refused. */
  requestId: string | null;
  number: string;
  serial: bigint | null;
  merchant: Merchant;
  /** The merchant group the caller says the merchant redeems under (v1 merchant_voucher_group); must be one of its own. */
  merchantGroup?: string | null;
  override: boolean;
}

export interface RedeemOutcome {
  state: 'completed' | 'pending';
  redemption: Redemption;
  voucher: Voucher;
}

const TTL_MS = 5_000;
const AM04 = 'AM04';

/**
 * Redemption, exactly once. The voucher is claimed by one conditional UPDATE (activated, unexpired, of a group the
 * merchant may take): of any number of concurrent redemptions one claims it and the others find it redeeming or
 * consumed (458). The claim and its redemption row commit before the payer FSP is asked to credit the merchant;
 * the transfer ID is the redemption's, so asking again never pays twice. Paid: one transaction consumes the
 * voucher and moves its value liability -> merchant payable -> FSP settlement. Refused: the voucher is released
 * (462 when the FSP says the funding account is short, 463 otherwise). No answer: the voucher stays redeeming
 * and a status job asks the FSP until it knows.
 */
@Injectable()
export class RedemptionService {
  private readonly logger = new Logger(RedemptionService.name);
  private readonly groupCache = new Map<string, { at: number; g: VoucherGroup; p: Program }>();
  private readonly fspCache = new Map<string, { at: number; e: FspEndpoint }>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly vouchers: VouchersRepository,
    private readonly redemptions: RedemptionsRepository,
    private readonly groups: VoucherGroupsRepository,
    private readonly programs: ProgramsRepository,
    private readonly merchants: MerchantsService,
    private readonly merchantsRepo: MerchantsRepository,
    private readonly secrets: VoucherSecrets,
    private readonly throttle: GuessThrottle,
    private readonly committer: RedemptionCommitter,
    private readonly connector: FspConnector,
    private readonly endpoints: FspEndpoints,
    private readonly queue: VoucherQueue,
    private readonly config: AppConfig,
  ) {}

  async redeem(i: RedeemInput): Promise<RedeemOutcome> {
    const m = i.merchant;
    if (m.status !== 'active')
      throw new AppException(
        ErrorCode.VOUCHER_MERCHANT_NOT_CREDITED,
        `Cannot credit merchant: merchant ${m.code} is suspended`,
      );
    if (i.merchantGroup && !m.merchantGroups.includes(i.merchantGroup))
      throw new AppException(
        ErrorCode.VOUCHER_MERCHANT_NOT_ALLOWED,
        `Cannot credit merchant: ${m.code} is not in merchant group '${i.merchantGroup}'`,
        undefined,
        463,
      );
    const guesser = `${i.callerId ?? i.actor.id}:${m.id}`;
    const hash = this.secrets.hash(i.number);
    const groups = i.merchantGroup ? [i.merchantGroup] : m.merchantGroups;
    const claimed = await this.redemptions.claim({
      tenantId: i.tenantId,
      numberHash: hash,
      serial: i.serial,
      merchantGroups: groups,
      override: i.override,
      guesser,
      merchantId: m.id,
      callerId: i.callerId,
      requestId: i.requestId,
    });
    if (!claimed) return this.refusal(i, hash, guesser, groups);

    const { voucher: v, redemption: r } = claimed;
    const { g, p } = await this.groupOf(v);
    const result = await this.send(r, g, p, m);
    return this.conclude(r, v, g, p, m, result, i.actor, i.correlationId);
  }

  /** Status job: what became of a redemption whose answer did not come. */
  async resolve(redemptionId: string): Promise<void> {
    const r = await this.redemptions.byId(redemptionId);
    if (!r || (r.state !== 'sending' && r.state !== 'unknown')) return;
    const v = (await this.vouchers.byId(r.voucherId))!;
    const merchant = (await this.merchantsRepo.byId(r.merchantId))!;
    const { g, p } = await this.groupOf(v);
    const fsp = await this.fsp(g, p);
    let result: CreditTransferResult | FspCallError | undefined;
    try {
      result = await this.connector.queryTransfer(fsp, r.id);
    } catch (err) {
      if (!(err instanceof FspCallError)) throw err;
      result = err;
    }
    if (result === undefined && Date.now() - r.createdAt.getTime() < fsp.timeoutMs + 5_000)
      result = new FspCallError(
        'unavailable',
        'the payer FSP does not know the payment yet; the first call may still be on its way',
      );
    if (result === undefined) {
      // The FSP never received it and the first call's time is over: nothing was paid.
      this.logger.warn(`Redemption ${r.id}: unknown to the payer FSP; the voucher is released`);
      await this.release(r, v, { reasonCode: 'NARR', reason: 'The payer FSP did not receive the payment' });
      return;
    }
    await this.conclude(r, v, g, p, merchant, result, SYSTEM_ACTOR, undefined);
  }

  private async send(
    r: Redemption,
    g: VoucherGroup,
    p: Program,
    merchant: Merchant,
  ): Promise<CreditTransferResult | FspCallError> {
    try {
      return await this.connector.creditTransfer(await this.fsp(g, p), {
        transferId: r.id,
        payerIdentifier: p.payerIdentifier,
        payeeName: merchant.name,
        financialAddress: this.merchants.address(merchant),
        amount: r.amount,
        currency: r.currency,
        narration: `Voucher redemption ${r.id}`,
      });
    } catch (err) {
      if (err instanceof FspCallError) return err;
      throw err;
    }
  }

  private async conclude(
    r: Redemption,
    v: Voucher,
    g: VoucherGroup,
    p: Program,
    merchant: Merchant,
    result: CreditTransferResult | FspCallError,
    actor: Actor,
    correlationId: string | undefined,
  ): Promise<RedeemOutcome> {
    if (result instanceof FspCallError && result.kind === 'refused')
      result = {
        status: 'rejected',
        reasonCode: 'NARR',
        reason: `The payer FSP refused the payment: ${result.message}`,
      };
    if (result instanceof FspCallError || result.status === 'pending') {
      const why =
        result instanceof FspCallError ? result.message : 'the payer FSP has not finished the payment';
      const delay = backoffDelayMs(r.attempts, this.config.env.VOUCHER_REDEMPTION_CHECK_MS, 3_600_000);
      await this.redemptions.markUnknown(r.id, why, delay);
      await this.queue.resolve(r.id, r.attempts, delay);
      this.logger.warn(
        `Redemption ${r.id} of voucher ${v.id}: outcome unknown (${why}); checking again in ${delay} ms`,
      );
      return { state: 'pending', redemption: { ...r, state: 'unknown' }, voucher: v };
    }
    if (result.status === 'rejected') {
      await this.release(r, v, result);
      throw new AppException(
        result.reasonCode === AM04
          ? ErrorCode.VOUCHER_INSUFFICIENT_FUNDS
          : ErrorCode.VOUCHER_MERCHANT_NOT_CREDITED,
        result.reasonCode === AM04
          ? 'Insufficient funds in funding account'
          : `Cannot credit merchant: ${result.reason} (${result.reasonCode})`,
      );
    }
    const closedHere = await this.committer.complete({
      tenantId: v.tenantId,
      redemptionId: r.id,
      voucherId: v.id,
      amount: v.amount,
      currency: v.currency,
      fspReference: result.fspReference ?? null,
      liabilityAccountId: g.liabilityAccountId,
      payableAccountId: await this.merchants.payableAccount(merchant, v.currency),
      settlementAccountId: p.settlementAccountId,
      actor,
      correlationId,
    });
    const done: Redemption = closedHere
      ? { ...r, state: 'completed', fspReference: result.fspReference ?? null, finishedAt: new Date() }
      : (await this.redemptions.byId(r.id))!;
    return { state: 'completed', redemption: done, voucher: { ...v, state: 'consumed' } };
  }

  private async release(
    r: Redemption,
    v: Voucher,
    result: { reasonCode: string; reason: string },
  ): Promise<void> {
    await this.ds.transaction(async (tx) => {
      if (
        !(await this.redemptions.finish(tx, r.id, 'failed', {
          reasonCode: result.reasonCode,
          reason: result.reason,
        }))
      )
        return;
      await this.vouchers.finishRedemption(tx, v.id, 'activated');
    });
  }

  /** Why nothing was claimed, in the contract's words; a repeat of the caller's own redemption gets its answer. */
  private async refusal(
    i: RedeemInput,
    hash: Buffer,
    guesser: string,
    groups: string[],
  ): Promise<RedeemOutcome> {
    // A locked-out caller learns nothing about the number (the claim refused it for that reason first).
    await this.throttle.check(i.tenantId, guesser);
    const v = await this.vouchers.byHash(i.tenantId, hash);
    if (!v || (i.serial !== null && v.serial !== i.serial)) {
      await this.throttle.fail(i.tenantId, guesser);
      const hint =
        i.number.length >= 16 && !hasValidCheckDigit(i.number)
          ? ' (check digit does not match: mistyped?)'
          : '';
      throw new AppException(ErrorCode.VOUCHER_INVALID_NUMBER, `Invalid voucher number${hint}`);
    }
    if (v.state === 'redeeming' || v.state === 'consumed') {
      const live = await this.redemptions.liveFor(v.id);
      if (
        live &&
        i.requestId &&
        live.requestId === i.requestId &&
        live.callerId === i.callerId &&
        live.merchantId === i.merchant.id
      )
        return { state: live.state === 'completed' ? 'completed' : 'pending', redemption: live, voucher: v };
      throw new AppException(ErrorCode.VOUCHER_ALREADY_USED, 'Voucher number already used');
    }
    if (v.state === 'expired' || (v.state === 'activated' && v.expiresAt.getTime() <= Date.now()))
      throw new AppException(ErrorCode.VOUCHER_EXPIRED, 'Voucher has expired');
    if (v.state === 'cancelled')
      throw new AppException(ErrorCode.VOUCHER_ALREADY_CANCELLED, 'Voucher is cancelled');
    if (v.state === 'activated') {
      const { g } = await this.groupOf(v);
      throw new AppException(
        ErrorCode.VOUCHER_MERCHANT_NOT_ALLOWED,
        `Cannot credit merchant: group ${g.code} vouchers are not redeemable in merchant group(s) ${groups.join(', ')}`,
        undefined,
        463,
      );
    }
    throw new AppException(
      ErrorCode.VOUCHER_INVALID_NUMBER,
      `Invalid voucher number: the voucher is ${v.state === 'provisioned' || v.state === 'preactivated' ? 'not activated' : v.state}`,
    );
  }

  private async groupOf(v: Voucher): Promise<{ g: VoucherGroup; p: Program }> {
    const hit = this.groupCache.get(v.groupId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit;
    const g = (await this.groups.findById(v.tenantId, v.groupId))!;
    const p = (await this.programs.findById(v.tenantId, g.programId))!;
    const entry = { at: Date.now(), g, p };
    this.groupCache.set(v.groupId, entry);
    return entry;
  }

  private async fsp(g: VoucherGroup, p: Program): Promise<FspEndpoint> {
    const key = `${g.tenantId}:${p.payerFspId}`;
    const hit = this.fspCache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.e;
    const e = await this.endpoints.forFsp(g.tenantId, p.payerFspId);
    this.fspCache.set(key, { at: Date.now(), e });
    return e;
  }
}
