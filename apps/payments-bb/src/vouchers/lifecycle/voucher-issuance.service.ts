import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { parseAmount } from '@app/ledger/money';
import { Actor, AppException, AuditService, ErrorCode } from '@app/platform';
import { Voucher, VoucherGroup } from '../domain/voucher';
import { CANCELLABLE, VoucherState } from '../domain/voucher-state';
import { VoucherGroupsRepository } from '../groups/voucher-groups.repository';
import { VoucherLedgerService } from './voucher-ledger.service';
import { VouchersRepository } from './vouchers.repository';

export interface IssueRequest {
  tenantId: string;
  holderId: string;
  groupCode: unknown;
  currency: unknown;
  amount: unknown;
}

export interface Outcome {
  serial: bigint;
  voucher?: Voucher;
  failure?: { code: ErrorCode; reason: string };
}

/** Why a voucher in `state` cannot be activated / cancelled: the v1 status and words an integrator expects. */
const NOT_CANCELLABLE: Partial<Record<VoucherState, [ErrorCode, string]>> = {
  cancelled: [ErrorCode.VOUCHER_ALREADY_CANCELLED, 'Already Cancelled'],
  consumed: [ErrorCode.VOUCHER_INVALID, 'Invalid voucher: already used'],
  redeeming: [ErrorCode.VOUCHER_INVALID, 'Invalid voucher: a redemption is under way'],
  expired: [ErrorCode.VOUCHER_INVALID, 'Invalid voucher: expired'],
  purged: [ErrorCode.VOUCHER_INVALID, 'Invalid voucher: purged'],
};

/**
 * Pre-activation, activation, cancellation, suspension and blocking. Each is one conditional UPDATE per voucher
 * set, so of two concurrent calls on one voucher exactly one changes it; a repeat of a call that already took
 * effect (activate an activated voucher) answers as the first did. Cancelling returns the value to the program
 * in the same transaction.
 */
@Injectable()
export class VoucherIssuanceService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly groups: VoucherGroupsRepository,
    private readonly repo: VouchersRepository,
    private readonly money: VoucherLedgerService,
    private readonly audit: AuditService,
  ) {}

  /** The group, currency and amount checks of a pre-activation, with the v1 statuses 454, 453, 452. */
  async checkRequest(
    tenantId: string,
    groupCode: unknown,
    currency: unknown,
    amount: unknown,
  ): Promise<{ group: VoucherGroup; minor: bigint }> {
    if (typeof groupCode !== 'string' || !groupCode)
      throw new AppException(ErrorCode.VOUCHER_INVALID_GROUP, 'Invalid voucher group');
    const group = await this.groups.findByCode(tenantId, groupCode);
    if (!group || group.status !== 'active')
      throw new AppException(ErrorCode.VOUCHER_INVALID_GROUP, `Invalid voucher group '${groupCode}'`);
    if (currency !== group.currency)
      throw new AppException(
        ErrorCode.VOUCHER_INVALID_CURRENCY,
        `Invalid currency: group ${group.code} vouchers are in ${group.currency}`,
      );
    let minor: bigint;
    try {
      minor = parseAmount(typeof amount === 'number' ? amount : amount, group.currency, 'voucher_amount');
    } catch (err) {
      throw new AppException(ErrorCode.VOUCHER_INVALID_AMOUNT, `Invalid amount: ${(err as Error).message}`);
    }
    if (group.denominations.length && !group.denominations.includes(minor))
      throw new AppException(
        ErrorCode.VOUCHER_INVALID_AMOUNT,
        `Invalid amount: not a denomination of group ${group.code}`,
      );
    return { group, minor };
  }

  /** Takes vouchers from stock for a holder; 455 when the group has too few left (nothing is taken then). */
  async preactivate(
    m: EntityManager,
    group: VoucherGroup,
    amount: bigint,
    holderId: string,
    actor: Actor,
    correlationId: string | undefined,
    items: { payee?: string | null; instructionId?: string | null; narration?: string | null }[] = [{}],
  ): Promise<Voucher[]> {
    const taken = await this.repo.takeFromStock(m, group.id, amount, items.length, holderId, {
      payeeFunctionalIds: items.map((i) => i.payee ?? null),
      instructionIds: items.map((i) => i.instructionId ?? null),
      narrations: items.map((i) => i.narration ?? null),
    });
    if (taken.length < items.length)
      throw new AppException(
        ErrorCode.VOUCHER_GROUP_EXHAUSTED,
        `Voucher group ${group.code} is exhausted for this amount`,
      );
    await this.recordAll(m, taken, 'voucher.preactivate', actor, correlationId);
    return taken;
  }

  /** Activates pre-activated vouchers of the holder; an already active one counts as done. */
  async activate(
    tenantId: string,
    holderId: string | null,
    serials: bigint[],
    actor: Actor,
    correlationId?: string,
  ): Promise<Outcome[]> {
    return this.ds.transaction(async (m) => {
      const moved = await this.repo.transition(m, tenantId, serials, ['preactivated'], 'activated', {
        holderId,
      });
      await this.recordAll(m, moved, 'voucher.activate', actor, correlationId);
      const done = new Map(moved.map((v) => [v.serial, v]));
      const rest = serials.filter((s) => !done.has(s));
      const others = new Map((await this.repo.bySerials(tenantId, rest, m)).map((v) => [v.serial, v]));
      return serials.map((serial): Outcome => {
        const v = done.get(serial) ?? others.get(serial);
        if (!v || (holderId && v.holderId !== holderId))
          return {
            serial,
            failure: { code: ErrorCode.VOUCHER_INVALID_SERIAL, reason: 'Invalid voucher serial number' },
          };
        if (done.has(serial) || v.state === 'activated' || v.state === 'redeeming')
          return { serial, voucher: v };
        if (v.state === 'expired' || (v.state === 'preactivated' && v.expiresAt.getTime() <= Date.now()))
          return { serial, failure: { code: ErrorCode.VOUCHER_EXPIRED, reason: 'Voucher has expired' } };
        return {
          serial,
          failure: {
            code: ErrorCode.VOUCHER_INVALID_SERIAL,
            reason: `Voucher cannot be activated: it is ${v.state}`,
          },
        };
      });
    });
  }

  /** Cancels vouchers still worth something and gives their value back to the program, per group, in one transaction. */
  async cancel(
    tenantId: string,
    holderId: string | null,
    serials: bigint[],
    actor: Actor,
    correlationId?: string,
    reason = 'cancelled',
  ): Promise<Outcome[]> {
    return this.ds.transaction(async (m) => {
      const moved = await this.repo.transition(m, tenantId, serials, CANCELLABLE, 'cancelled', {
        holderId,
        reason,
      });
      await this.giveBack(m, moved, 'voucher.cancel', actor, correlationId);
      await this.recordAll(m, moved, 'voucher.cancel', actor, correlationId);
      const done = new Map(moved.map((v) => [v.serial, v]));
      const rest = serials.filter((s) => !done.has(s));
      const others = new Map((await this.repo.bySerials(tenantId, rest, m)).map((v) => [v.serial, v]));
      return serials.map((serial): Outcome => {
        const v = done.get(serial) ?? others.get(serial);
        if (done.has(serial)) return { serial, voucher: v };
        if (!v || (holderId && v.holderId !== holderId))
          return { serial, failure: { code: ErrorCode.VOUCHER_INVALID, reason: 'Not Existing' } };
        const [code, why] = NOT_CANCELLABLE[v.state] ?? [
          ErrorCode.VOUCHER_INVALID,
          `Invalid voucher: ${v.state}`,
        ];
        return { serial, failure: { code, reason: why } };
      });
    });
  }

  /** Suspend, unsuspend or block one voucher (the holder or an operator). */
  async setState(
    tenantId: string,
    holderId: string | null,
    serial: bigint,
    action: 'suspend' | 'unsuspend' | 'block',
    actor: Actor,
    correlationId?: string,
  ): Promise<Voucher> {
    const [from, to]: [VoucherState[], VoucherState] =
      action === 'suspend'
        ? [['activated'], 'suspended']
        : action === 'unsuspend'
          ? [['suspended'], 'activated']
          : [['provisioned', 'preactivated', 'activated', 'suspended'], 'blocked'];
    return this.ds.transaction(async (m) => {
      const [moved] = await this.repo.transition(m, tenantId, [serial], from, to, {
        holderId,
        reason: action,
      });
      if (moved) {
        await this.recordAll(m, [moved], `voucher.${action}`, actor, correlationId);
        return moved;
      }
      const v = await this.repo.bySerial(tenantId, serial, m);
      if (!v || (holderId && v.holderId !== holderId))
        throw new AppException(ErrorCode.VOUCHER_INVALID_SERIAL, 'Invalid voucher serial number');
      if (v.state === to) return v;
      if (to === 'activated' && v.expiresAt.getTime() <= Date.now())
        throw new AppException(ErrorCode.VOUCHER_EXPIRED, 'Voucher has expired');
      throw new AppException(
        ErrorCode.VOUCHER_NOT_USABLE,
        `A ${v.state} voucher cannot be ${action === 'block' ? 'blocked' : `${action}ed`}`,
      );
    });
  }

  /** Returns the value of cancelled or expired vouchers to their programs: one transfer per group. */
  async giveBack(
    m: EntityManager,
    vouchers: { tenantId: string; groupId: string; amount: bigint; currency: string }[],
    code: string,
    actor: Actor,
    correlationId?: string,
  ): Promise<void> {
    const byGroup = new Map<string, { tenantId: string; amount: bigint; currency: string }>();
    for (const v of vouchers) {
      const g = byGroup.get(v.groupId) ?? { tenantId: v.tenantId, amount: 0n, currency: v.currency };
      g.amount += v.amount;
      byGroup.set(v.groupId, g);
    }
    for (const [groupId, total] of byGroup) {
      const g = (await this.groups.findById(total.tenantId, groupId, m))!;
      await this.money.move(
        m,
        [
          {
            tenantId: g.tenantId,
            debitAccountId: g.liabilityAccountId,
            creditAccountId: g.fundingAccountId,
            amount: total.amount,
            currency: total.currency,
            code,
            referenceType: 'voucher_group',
            referenceId: g.id,
          },
        ],
        actor,
        correlationId,
      );
    }
  }

  async recordAll(
    m: EntityManager,
    vouchers: Voucher[],
    action: string,
    actor: Actor,
    correlationId?: string,
  ): Promise<void> {
    await this.audit.record(
      m,
      vouchers.map((v) => ({
        tenantId: v.tenantId,
        actor,
        action,
        objectType: 'voucher',
        objectId: v.id,
        correlationId,
        // IDs and amounts only: the voucher number never reaches the audit log.
        after: {
          serial: v.serial.toString(),
          state: v.state,
          amount: v.amount.toString(),
          currency: v.currency,
        },
      })),
    );
  }
}
