import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { LedgerService } from '@app/ledger';
import { Actor, AuditService } from '@app/platform';
import { ONLINE_MODES } from './payment-input';

/** A business service code as a ledger account code: MDMS codes may hold spaces, & or (); those get a hash. */
export function accountSafe(code: string): string {
  if (/^[A-Za-z0-9._-]{1,60}$/.test(code)) return code;
  return `${code.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}-${createHash('sha256').update(code).digest('hex').slice(0, 8)}`;
}

/** Which collection account a mode's money is in: the bank (online), the counter's cash, or instruments in hand. */
const groupOf = (mode: string) =>
  ONLINE_MODES.includes(mode) ? 'online' : mode === 'CASH' ? 'cash' : 'instruments';

/**
 * The money of collections: a receipt moves its amount from the collection account of its mode (what the counter or
 * the gateway holds for the ULB) to the business service's collected account; a cancel or dishonour moves it back.
 * Accounts are made outside the caller's transaction and remembered (IDs never change).
 */
@Injectable()
export class DigitLedger {
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  async accounts(
    tenantId: string,
    service: string,
    mode: string,
    currency: string,
  ): Promise<{ debit: string; credit: string }> {
    return {
      debit: await this.account(
        tenantId,
        `digit:collections:${groupOf(mode)}`,
        `Collections received (${groupOf(mode)})`,
        currency,
        'external',
      ),
      credit: await this.account(
        tenantId,
        `digit:service:${service}`,
        `Collected for ${service}`,
        currency,
        'biller_payable',
      ),
    };
  }

  async post(
    m: EntityManager,
    t: {
      tenantId: string;
      debit: string;
      credit: string;
      amount: bigint;
      currency: string;
      code: string;
      receipt: string;
    },
    actor: Actor,
  ): Promise<string> {
    const id = randomUUID();
    const [r] = await this.ledger.createTransfers(m, t.tenantId, [
      {
        id,
        kind: 'posted',
        debitAccountId: t.debit,
        creditAccountId: t.credit,
        amount: t.amount,
        currency: t.currency,
        code: t.code,
        referenceType: 'digit_receipt',
        referenceId: t.receipt,
      },
    ]);
    await this.audit.record(m, [
      {
        tenantId: t.tenantId,
        actor,
        action: 'ledger.transfer.posted',
        objectType: 'ledger_transfer',
        objectId: id,
        after: { ...r.transfer, amount: r.transfer.amount.toString() },
        details: { code: t.code, referenceType: 'digit_receipt', referenceId: t.receipt },
      },
    ]);
    return id;
  }

  async transfer(m: EntityManager, tenantId: string, id: string) {
    return (await this.ledger.getTransfers(tenantId, [id], m))[0];
  }

  private async account(
    tenantId: string,
    code: string,
    name: string,
    currency: string,
    kind: 'external' | 'biller_payable',
  ): Promise<string> {
    const key = `${tenantId}\u0000${code}\u0000${currency}`;
    const hit = this.ids.get(key);
    if (hit) return hit;
    const a = await this.ledger.ensureAccount(undefined, tenantId, {
      code: `${code}:${currency}`,
      name: `${name} (${currency})`,
      currency,
      kind,
    });
    this.ids.set(key, a.id);
    return a.id;
  }
}
