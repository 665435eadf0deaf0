import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LedgerService } from '@app/ledger';
import { Actor, AuditService } from '@app/platform';
import { payableAccountCode } from '../billers/biller';

export function payerFiAccountCode(fiCode: string, currency: string): string {
  return `p2g:payerfi:${fiCode}:${currency}`;
}

/**
 * The money of bill payments: a payment moves its amount from the paying FI's settlement account (what that FI owes
 * the billers) to the biller's payable account, in the bill's currency; a rejected advice moves it back. Account IDs
 * never change once made, so they are remembered per process.
 */
@Injectable()
export class P2gLedger {
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  /** Made (committed) outside the caller's transaction, so a rolled-back payment never leaves a remembered ID behind. */
  async payerFiAccount(tenantId: string, fiCode: string, currency: string): Promise<string> {
    return this.account(
      tenantId,
      payerFiAccountCode(fiCode, currency),
      `Bill payments owed by ${fiCode}`,
      currency,
      'fsp_settlement',
    );
  }

  async billerAccount(tenantId: string, billerId: string, currency: string): Promise<string> {
    return this.account(
      tenantId,
      payableAccountCode(billerId, currency),
      `Bill payments payable to ${billerId}`,
      currency,
      'biller_payable',
    );
  }

  async post(
    m: EntityManager,
    t: {
      id: string;
      tenantId: string;
      debitAccountId: string;
      creditAccountId: string;
      amount: bigint;
      currency: string;
      code: string;
      paymentId: string;
    },
    actor: Actor,
    correlationId?: string,
  ): Promise<void> {
    const [r] = await this.ledger.createTransfers(m, t.tenantId, [
      {
        id: t.id,
        kind: 'posted',
        debitAccountId: t.debitAccountId,
        creditAccountId: t.creditAccountId,
        amount: t.amount,
        currency: t.currency,
        code: t.code,
        referenceType: 'bill_payment',
        referenceId: t.paymentId,
      },
    ]);
    if (!r.created) return;
    await this.audit.record(m, [
      {
        tenantId: t.tenantId,
        actor,
        action: 'ledger.transfer.posted',
        objectType: 'ledger_transfer',
        objectId: t.id,
        correlationId,
        after: { ...r.transfer, amount: r.transfer.amount.toString() },
        details: { code: t.code, referenceType: 'bill_payment', referenceId: t.paymentId },
      },
    ]);
  }

  private async account(
    tenantId: string,
    code: string,
    name: string,
    currency: string,
    kind: 'fsp_settlement' | 'biller_payable',
  ): Promise<string> {
    const key = `${tenantId}\u0000${code}`;
    const hit = this.ids.get(key);
    if (hit) return hit;
    const a = await this.ledger.ensureAccount(undefined, tenantId, {
      code,
      name: `${name} (${currency})`,
      currency,
      kind,
    });
    this.ids.set(key, a.id);
    return a.id;
  }
}
