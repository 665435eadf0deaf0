import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppException, ErrorCode } from '@app/platform';
import { VoucherSecrets } from '../../vouchers/domain/voucher-secrets';
import { VoucherGroupsRepository } from '../../vouchers/groups/voucher-groups.repository';
import { VouchersRepository } from '../../vouchers/lifecycle/vouchers.repository';
import { GuessThrottle } from '../../vouchers/redemption/guess-throttle';
import { PaymentFunding } from '../payments/bill-payments.service';

/**
 * A bill paid with a voucher (spec 9.3.6): the voucher must be activated and unexpired, in the bill's currency,
 * and its whole value must be a payment the biller's rules allow. Its value moves from the voucher group's liability
 * account to the biller, and the voucher is consumed in the payment's transaction, so a voucher pays one bill once.
 * Wrong numbers count against the payer FI in the vouchers' guess throttle.
 */
@Injectable()
export class VoucherBillFunding {
  constructor(
    private readonly secrets: VoucherSecrets,
    private readonly vouchers: VouchersRepository,
    private readonly groups: VoucherGroupsRepository,
    private readonly throttle: GuessThrottle,
  ) {}

  async fund(tenantId: string, payerFiId: string, number: string, billId: string): Promise<PaymentFunding> {
    const guesser = `payer-fi:${payerFiId}`;
    await this.throttle.check(tenantId, guesser);
    const v = await this.vouchers.byHash(tenantId, this.secrets.hash(number));
    if (!v) {
      await this.throttle.fail(tenantId, guesser);
      throw new AppException(ErrorCode.VOUCHER_INVALID_NUMBER, 'Invalid voucher number');
    }
    if (v.state === 'consumed' || v.state === 'redeeming')
      throw new AppException(ErrorCode.VOUCHER_ALREADY_USED, 'Voucher number already used');
    if (v.state === 'cancelled')
      throw new AppException(ErrorCode.VOUCHER_ALREADY_CANCELLED, 'Voucher is cancelled');
    if (v.state === 'expired' || v.expiresAt.getTime() <= Date.now())
      throw new AppException(ErrorCode.VOUCHER_EXPIRED, 'Voucher has expired');
    if (v.state !== 'activated')
      throw new AppException(
        ErrorCode.VOUCHER_NOT_USABLE,
        `Voucher is ${v.state === 'provisioned' || v.state === 'preactivated' ? 'not activated' : v.state}`,
      );
    const g = await this.groups.findById(tenantId, v.groupId);
    if (!g) throw new AppException(ErrorCode.VOUCHER_INVALID, 'Voucher group not found');
    return {
      debitAccountId: g.liabilityAccountId,
      currency: v.currency,
      amount: v.amount,
      voucherId: v.id,
      consume: async (m: EntityManager) => {
        const moved = await this.vouchers.transition(m, tenantId, [v.serial], ['activated'], 'consumed', {
          reason: `paid bill ${billId}`,
        });
        if (moved.length !== 1)
          throw new AppException(ErrorCode.VOUCHER_ALREADY_USED, 'Voucher number already used');
      },
    };
  }
}
