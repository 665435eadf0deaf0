import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { parseAmount } from '@app/ledger/money';
import { Actor } from '@app/platform';
import { VoucherSecrets } from '../vouchers/domain/voucher-secrets';
import { V1_IMPORT_STATES, VoucherState } from '../vouchers/domain/voucher-state';
import { VoucherGroupsRepository } from '../vouchers/groups/voucher-groups.repository';
import { VoucherLedgerService } from '../vouchers/lifecycle/voucher-ledger.service';
import { LegacyVoucherRow, VouchersRepository } from '../vouchers/lifecycle/vouchers.repository';
import { MerchantsService } from '../vouchers/merchants/merchants.service';
import { SeedMerchant, SeedVoucher } from './seed-file';

export class VoucherSeedError extends Error {}

const IMPORTED_STATES: Record<string, VoucherState> = {
  ...V1_IMPORT_STATES,
  cancelled: 'cancelled',
  consumed: 'consumed',
  expired: 'expired',
};
/** States whose value is still owed: the import funds them from the group's program, as provisioning would. */
const OUTSTANDING: VoucherState[] = ['provisioned', 'preactivated', 'activated', 'suspended', 'blocked'];

/** A merchant code from its name: the seed has none. */
export const merchantCode = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'merchant';

/**
 * The seed's merchants and legacy vouchers. Vouchers keep their numbers (hashed and sealed like generated ones)
 * and serials, and go into the voucher group named on the command line; the value of those still outstanding is
 * moved from the group's program to its liability account in the import's transaction, so an underfunded
 * program refuses the whole import. Existing serials are left alone, so a re-run changes nothing.
 */
@Injectable()
export class VoucherSeedImporter {
  constructor(
    private readonly groups: VoucherGroupsRepository,
    private readonly vouchers: VouchersRepository,
    private readonly secrets: VoucherSecrets,
    private readonly money: VoucherLedgerService,
    private readonly merchants: MerchantsService,
  ) {}

  async merchantsPart(
    m: EntityManager,
    tenantId: string,
    list: SeedMerchant[],
    actor: Actor,
  ): Promise<{ merchants: number; unchanged: number }> {
    let changed = 0;
    for (const s of list) {
      const out = await this.merchants.upsert(
        m,
        tenantId,
        {
          code: merchantCode(s.name),
          name: s.name,
          financialAddress: s.bankDetails,
          merchantGroups: [s.group],
        },
        actor,
      );
      if (out.changed) changed++;
    }
    return { merchants: changed, unchanged: list.length - changed };
  }

  async vouchersPart(
    m: EntityManager,
    tenantId: string,
    groupCode: string | undefined,
    list: SeedVoucher[],
    holderOf: (code: string) => Promise<string>,
    actor: Actor,
  ): Promise<{ vouchers: number; funded: string }> {
    if (!list.length || !groupCode) return { vouchers: 0, funded: '0' };
    const g = await this.groups.findByCode(tenantId, groupCode, m);
    if (!g)
      throw new VoucherSeedError(
        `No voucher group '${groupCode}' in tenant ${tenantId}: create it first (POST /voucher-groups)`,
      );
    const rows: LegacyVoucherRow[] = [];
    for (const v of list) {
      const state = IMPORTED_STATES[v.state];
      if (!state) throw new VoucherSeedError(`vouchers[${v.index}]: unknown voucher_status '${v.state}'`);
      let amount: bigint;
      try {
        amount = parseAmount(v.amount, g.currency, `vouchers[${v.index}].voucher_amount`);
      } catch (err) {
        throw new VoucherSeedError((err as Error).message);
      }
      rows.push({
        serial: v.serial,
        hash: v.number ? this.secrets.hash(v.number) : null,
        sealed: v.number ? this.secrets.seal(v.number) : null,
        amount,
        state,
        holderId: state === 'provisioned' ? null : await holderOf(v.govStackBb),
      });
    }
    const expiresAt = new Date(
      Math.min(g.expiresOn?.getTime() ?? Infinity, Date.now() + g.validityDays * 86_400_000),
    );
    const before = new Set(
      (
        await this.vouchers.bySerials(
          tenantId,
          rows.map((r) => r.serial),
          m,
        )
      ).map((v) => v.serial),
    );
    const fresh = rows.filter((r) => !before.has(r.serial));
    const inserted = await this.vouchers.insertLegacy(
      m,
      tenantId,
      g.id,
      g.currency,
      expiresAt,
      this.secrets.keyId,
      fresh,
    );
    if (inserted !== fresh.length)
      throw new VoucherSeedError('Two vouchers of the file share a number or a serial');
    const owed = fresh.filter((r) => OUTSTANDING.includes(r.state)).reduce((s, r) => s + r.amount, 0n);
    if (owed > 0n)
      await this.money.move(
        m,
        [
          {
            tenantId,
            debitAccountId: g.fundingAccountId,
            creditAccountId: g.liabilityAccountId,
            amount: owed,
            currency: g.currency,
            code: 'voucher.import',
            referenceType: 'voucher_group',
            referenceId: g.id,
          },
        ],
        actor,
      );
    return { vouchers: inserted, funded: owed.toString() };
  }
}
