import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { LedgerService } from '@app/ledger';
import { Actor, AppException, AuditService, ErrorCode, FieldCipher } from '@app/platform';
import { Merchant } from '../domain/voucher';
import { MerchantsRepository } from './merchants.repository';

export interface MerchantFields {
  code: string;
  name: string;
  financialAddress: string;
  fspCode?: string | null;
  merchantGroups: string[];
  participantId?: string | null;
}

const FA_CONTEXT = 'merchant-address';

/** What callers see of a merchant: the financial address is personal data and shown only masked. */
export function merchantView(m: Merchant, address: string) {
  return {
    code: m.code,
    name: m.name,
    financialAddress:
      address.length <= 4 ? '****' : `${'*'.repeat(Math.min(8, address.length - 4))}${address.slice(-4)}`,
    fspCode: m.fspCode,
    merchantGroups: m.merchantGroups,
    status: m.status,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/** The merchant and agent registry vouchers are redeemed at. */
@Injectable()
export class MerchantsService {
  private readonly payables = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: MerchantsRepository,
    private readonly cipher: FieldCipher,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  async upsert(
    m: EntityManager,
    tenantId: string,
    f: MerchantFields,
    actor: Actor,
    correlationId?: string,
  ): Promise<{ merchant: Merchant; changed: boolean }> {
    if (!f.merchantGroups.length)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'A merchant belongs to at least one merchant group',
      );
    const out = await this.repo.upsert(m, {
      tenantId,
      code: f.code,
      name: f.name,
      faEnc: this.cipher.seal(f.financialAddress),
      faKeyId: this.cipher.keyId,
      faHash: this.addressHash(f.financialAddress),
      fspCode: f.fspCode ?? null,
      merchantGroups: [...new Set(f.merchantGroups)],
      participantId: f.participantId ?? null,
    });
    if (out.changed)
      await this.audit.record(m, [
        {
          tenantId,
          actor,
          action: 'merchant.upsert',
          objectType: 'merchant',
          objectId: out.merchant.id,
          correlationId,
          after: { code: f.code, name: f.name, fspCode: f.fspCode ?? null, merchantGroups: f.merchantGroups },
        },
      ]);
    return out;
  }

  addressHash(address: string): Buffer {
    return this.cipher.blindIndex(address.trim(), FA_CONTEXT);
  }

  address(m: Merchant): string {
    return this.cipher.open(m.faEnc, m.faKeyId);
  }

  async get(tenantId: string, code: string): Promise<Merchant> {
    const m = await this.repo.byCode(tenantId, code);
    if (!m) throw new AppException(ErrorCode.NOT_FOUND, `No merchant '${code}'`);
    return m;
  }

  async setStatus(
    tenantId: string,
    code: string,
    status: 'active' | 'suspended',
    actor: Actor,
    correlationId?: string,
  ): Promise<Merchant> {
    const merchant = await this.get(tenantId, code);
    return this.ds.transaction(async (m) => {
      await this.repo.setStatus(m, merchant.id, status);
      await this.audit.record(m, [
        {
          tenantId,
          actor,
          action: `merchant.${status}`,
          objectType: 'merchant',
          objectId: merchant.id,
          correlationId,
        },
      ]);
      return (await this.repo.byCode(tenantId, code, m))!;
    });
  }

  /** The merchant's payable account in a currency, opened on first use. */
  async payableAccount(merchant: Merchant, currency: string): Promise<string> {
    const key = `${merchant.id}:${currency}`;
    const hit = this.payables.get(key);
    if (hit) return hit;
    const account = await this.ledger.ensureAccount(undefined, merchant.tenantId, {
      code: `merchant:${merchant.code}:${currency}:payable`,
      name: `Owed to merchant ${merchant.code} (${currency})`,
      currency,
      kind: 'merchant_payable',
    });
    this.payables.set(key, account.id);
    return account.id;
  }
}
