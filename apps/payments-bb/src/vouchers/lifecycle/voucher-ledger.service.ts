import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { LedgerService, TransferInput, TransferResult } from '@app/ledger';
import { Actor, AuditService } from '@app/platform';

export const VOUCHER_SYSTEM: Actor = { id: 'system:vouchers', kind: 'system' };

export interface Move {
  tenantId: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  code: string;
  referenceType: string;
  referenceId: string;
  /** Who the audit row names for this move, when not the call's actor (a flush of many callers' moves). */
  actor?: Actor;
  correlationId?: string;
}

/**
 * The vouchers' money. Provisioning moves the vouchers' total from the program's funding account to the group's
 * liability account (refused when the program cannot cover it); a consumed voucher moves its value from the
 * liability to the merchant's payable account and on to the payer FSP's settlement account that paid the
 * merchant; a cancelled or expired voucher gives its value back to the program. So the liability account always
 * holds exactly the value of the vouchers still outstanding. Every call runs in the caller's transaction, with
 * the state change it pays for, and writes its audit rows there too.
 */
@Injectable()
export class VoucherLedgerService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  async move(
    m: EntityManager,
    moves: Move[],
    actor: Actor,
    correlationId?: string,
  ): Promise<TransferResult[]> {
    const transfers: TransferInput[] = moves.map((mv) => ({
      id: randomUUID(),
      kind: 'posted',
      debitAccountId: mv.debitAccountId,
      creditAccountId: mv.creditAccountId,
      amount: mv.amount,
      currency: mv.currency,
      code: mv.code,
      referenceType: mv.referenceType,
      referenceId: mv.referenceId,
    }));
    const results = await this.ledger.createTransfers(m, moves[0].tenantId, transfers);
    await this.audit.record(
      m,
      results.map(({ transfer: t }, i) => ({
        tenantId: moves[i].tenantId,
        actor: moves[i].actor ?? actor,
        action: `ledger.transfer.${t.kind}`,
        objectType: 'ledger_transfer',
        objectId: t.id,
        correlationId: moves[i].correlationId ?? correlationId,
        after: { ...t, amount: t.amount.toString() },
        details: { code: t.code, referenceType: moves[i].referenceType, referenceId: moves[i].referenceId },
      })),
    );
    return results;
  }
}
