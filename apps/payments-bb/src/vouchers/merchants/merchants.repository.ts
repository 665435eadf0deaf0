import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Merchant } from '../domain/voucher';

interface MerchantRow {
  id: string;
  tenant_id: string;
  code: string;
  name: string;
  fa_enc: Buffer;
  fa_key_id: string;
  fsp_code: string | null;
  merchant_groups: string[];
  participant_id: string | null;
  payable_account_id: string | null;
  status: 'active' | 'suspended';
  created_at: Date;
  updated_at: Date;
}

const toMerchant = (r: MerchantRow): Merchant => ({
  id: r.id,
  tenantId: r.tenant_id,
  code: r.code,
  name: r.name,
  faEnc: r.fa_enc,
  faKeyId: r.fa_key_id,
  fspCode: r.fsp_code,
  merchantGroups: r.merchant_groups,
  participantId: r.participant_id,
  payableAccountId: r.payable_account_id,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface MerchantInput {
  tenantId: string;
  code: string;
  name: string;
  faEnc: Buffer;
  faKeyId: string;
  faHash: Buffer;
  fspCode: string | null;
  merchantGroups: string[];
  participantId: string | null;
}

@Injectable()
export class MerchantsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Inserts or, for an existing code, updates; returns the row and whether it changed. */
  async upsert(m: EntityManager, i: MerchantInput): Promise<{ merchant: Merchant; changed: boolean }> {
    const before = await this.byCode(i.tenantId, i.code, m);
    const rows = (await m.query(
      `INSERT INTO merchants (tenant_id, code, name, fa_enc, fa_key_id, fa_hash, fsp_code, merchant_groups, participant_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
       ON CONFLICT (tenant_id, code) DO UPDATE SET name = EXCLUDED.name, fa_enc = EXCLUDED.fa_enc, fa_key_id = EXCLUDED.fa_key_id,
         fa_hash = EXCLUDED.fa_hash, fsp_code = EXCLUDED.fsp_code, merchant_groups = EXCLUDED.merchant_groups,
         participant_id = EXCLUDED.participant_id, updated_at = now()
       WHERE (merchants.name, merchants.fa_hash, merchants.fsp_code, merchants.merchant_groups, merchants.participant_id)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.fa_hash, EXCLUDED.fsp_code, EXCLUDED.merchant_groups, EXCLUDED.participant_id)
       RETURNING id`,
      [
        i.tenantId,
        i.code,
        i.name,
        i.faEnc,
        i.faKeyId,
        i.faHash,
        i.fspCode,
        i.merchantGroups,
        i.participantId,
      ],
    )) as { id: string }[];
    const merchant = (await this.byCode(i.tenantId, i.code, m))!;
    return { merchant, changed: rows.length > 0 || !before };
  }

  async setStatus(m: EntityManager, id: string, status: 'active' | 'suspended'): Promise<void> {
    await m.query(`UPDATE merchants SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
  }

  async byCode(
    tenantId: string,
    code: string,
    m: EntityManager = this.ds.manager,
  ): Promise<Merchant | undefined> {
    const rows = (await m.query(`SELECT * FROM merchants WHERE tenant_id = $1 AND code = $2`, [
      tenantId,
      code,
    ])) as MerchantRow[];
    return rows[0] && toMerchant(rows[0]);
  }

  async byId(id: string): Promise<Merchant | undefined> {
    const rows = (await this.ds.query(`SELECT * FROM merchants WHERE id = $1`, [id])) as MerchantRow[];
    return rows[0] && toMerchant(rows[0]);
  }

  /** The v1 contract names merchants by name and bank details: matched case-insensitively on the name, exactly on the details. */
  async byNameAndAddress(tenantId: string, name: string, faHash: Buffer): Promise<Merchant[]> {
    const rows = (await this.ds.query(
      `SELECT * FROM merchants WHERE tenant_id = $1 AND lower(name) = lower($2) AND fa_hash = $3`,
      [tenantId, name, faHash],
    )) as MerchantRow[];
    return rows.map(toMerchant);
  }

  async byName(tenantId: string, name: string): Promise<Merchant[]> {
    const rows = (await this.ds.query(
      `SELECT * FROM merchants WHERE tenant_id = $1 AND lower(name) = lower($2)`,
      [tenantId, name],
    )) as MerchantRow[];
    return rows.map(toMerchant);
  }

  async list(tenantId: string, limit: number, offset: number): Promise<Merchant[]> {
    const rows = (await this.ds.query(
      `SELECT * FROM merchants WHERE tenant_id = $1 ORDER BY code LIMIT $2 OFFSET $3`,
      [tenantId, limit, offset],
    )) as MerchantRow[];
    return rows.map(toMerchant);
  }
}
