import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A mapper row, as written and as stored: the address sealed and hashed by the service. */
export interface BeneficiaryRow {
  functionalId: string;
  modality: string;
  institutionCode: string | null;
  faEnc: Buffer | null;
  faKeyId: string | null;
  faHash: Buffer | null;
  status: 'active' | 'inactive';
}

export type StoredBeneficiary = BeneficiaryRow;

/** A row to insert with the audit digest of its payment data. */
export interface AuditedRow extends BeneficiaryRow {
  digest: string;
}

/** Who, for which request: shared by every audit row of one insert. */
export interface InsertAudit {
  tenantId: string;
  sourceBbId: string;
  requestId: string;
  actor: { id: string; kind: string };
  action: string;
  correlationId?: string;
  details: Record<string, unknown>;
}

interface DbRow {
  functional_id: string;
  payment_modality: string;
  banking_institution_code: string | null;
  fa_enc: Buffer | null;
  fa_key_id: string | null;
  fa_hash: Buffer | null;
  status: 'active' | 'inactive';
}

const toStored = (r: DbRow): StoredBeneficiary => ({
  functionalId: r.functional_id,
  modality: r.payment_modality,
  institutionCode: r.banking_institution_code,
  faEnc: r.fa_enc,
  faKeyId: r.fa_key_id,
  faHash: r.fa_hash,
  status: r.status,
});

/** Column arrays for unnest(): one round trip however many rows. */
function columns(rows: BeneficiaryRow[]) {
  return [
    rows.map((r) => r.functionalId),
    rows.map((r) => r.modality),
    rows.map((r) => r.institutionCode),
    rows.map((r) => r.faEnc),
    rows.map((r) => r.faKeyId),
    rows.map((r) => r.faHash),
    rows.map((r) => r.status),
  ];
}

/**
 * All SQL of the account mapper. Every statement names the tenant and the source BB: there is no
 * query here that could touch another tenant's rows.
 */
@Injectable()
export class BeneficiariesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Inserts the rows whose functional ID is new and, in the same statement, one audit row for each row
   * actually inserted (with the caller's digest of it). One round trip per chunk lets the caller prepare
   * the next chunk while PostgreSQL writes this one. Returns the IDs inserted.
   */
  async insertNewAudited(m: EntityManager, audit: InsertAudit, rows: AuditedRow[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const inserted = (await m.query(
      `WITH x AS (
         SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::bytea[], $8::text[], $9::bytea[], $10::text[], $11::text[])
                AS x(fid, pm, bic, enc, kid, h, st, digest)
       ), ins AS (
         INSERT INTO beneficiaries (tenant_id, source_bb_id, functional_id, payment_modality, banking_institution_code,
                                    fa_enc, fa_key_id, fa_hash, status, created_request_id)
         SELECT $1, $2, fid, pm, bic, enc, kid, h, st, $3 FROM x
         ON CONFLICT (tenant_id, source_bb_id, functional_id) DO NOTHING
         RETURNING functional_id
       ), audited AS (
         INSERT INTO audit_log (tenant_id, actor_id, actor_kind, action, object_type, correlation_id, details,
                                object_id, after_digest)
         SELECT $1, $12, $13, $14, 'beneficiary', $15, $16::jsonb, $2 || '/' || ins.functional_id, x.digest
         FROM ins JOIN x ON x.fid = ins.functional_id
       )
       SELECT functional_id FROM ins`,
      [
        audit.tenantId,
        audit.sourceBbId,
        audit.requestId,
        ...columns(rows),
        rows.map((r) => r.digest),
        audit.actor.id,
        audit.actor.kind,
        audit.action,
        audit.correlationId ?? null,
        JSON.stringify(audit.details),
      ],
    )) as { functional_id: string }[];
    return new Set(inserted.map((r) => r.functional_id));
  }

  /** Reads and row-locks the existing entries, so concurrent updates of one beneficiary serialise. */
  async findForUpdate(
    m: EntityManager,
    tenantId: string,
    sourceBbId: string,
    functionalIds: string[],
  ): Promise<Map<string, StoredBeneficiary>> {
    const rows = (await m.query(
      `SELECT functional_id, payment_modality, banking_institution_code, fa_enc, fa_key_id, fa_hash, status
       FROM beneficiaries
       WHERE tenant_id = $1 AND source_bb_id = $2 AND functional_id = ANY($3::text[])
       ORDER BY functional_id
       FOR UPDATE`,
      [tenantId, sourceBbId, functionalIds],
    )) as DbRow[];
    return new Map(rows.map((r) => [r.functional_id, toStored(r)]));
  }

  async updateMany(
    m: EntityManager,
    tenantId: string,
    sourceBbId: string,
    requestId: string,
    rows: BeneficiaryRow[],
  ): Promise<void> {
    if (!rows.length) return;
    await m.query(
      `UPDATE beneficiaries b
       SET payment_modality = x.pm, banking_institution_code = x.bic, fa_enc = x.enc, fa_key_id = x.kid,
           fa_hash = x.h, status = x.st, updated_request_id = $3, updated_at = now()
       FROM unnest($4::text[], $5::text[], $6::text[], $7::bytea[], $8::text[], $9::bytea[], $10::text[])
            AS x(fid, pm, bic, enc, kid, h, st)
       WHERE b.tenant_id = $1 AND b.source_bb_id = $2 AND b.functional_id = x.fid`,
      [tenantId, sourceBbId, requestId, ...columns(rows)],
    );
  }

  /** Active entries for the functional IDs, in one indexed query. */
  async findActive(tenantId: string, sourceBbId: string, functionalIds: string[]): Promise<StoredBeneficiary[]> {
    const rows = (await this.ds.query(
      `SELECT functional_id, payment_modality, banking_institution_code, fa_enc, fa_key_id, fa_hash, status
       FROM beneficiaries
       WHERE tenant_id = $1 AND source_bb_id = $2 AND functional_id = ANY($3::text[]) AND status = 'active'`,
      [tenantId, sourceBbId, functionalIds],
    )) as DbRow[];
    return rows.map(toStored);
  }

  /**
   * The institutions holding active accounts for this functional ID under any source BB of the tenant, most
   * recently updated first: how a request to pay by alias finds the payer's FI (no financial address leaves here).
   */
  async institutionsOf(tenantId: string, functionalId: string): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT DISTINCT ON (banking_institution_code) banking_institution_code AS code, updated_at
       FROM beneficiaries
       WHERE tenant_id = $1 AND functional_id = $2 AND status = 'active' AND banking_institution_code IS NOT NULL
       ORDER BY banking_institution_code, updated_at DESC`,
      [tenantId, functionalId],
    )) as { code: string; updated_at: Date }[];
    return rows.sort((a, b) => b.updated_at.getTime() - a.updated_at.getTime()).map((r) => r.code);
  }

  /** Every entry for the functional ID in the tenant, one per source BB that registered it, active ones first. */
  async entriesOf(tenantId: string, functionalId: string) {
    return (await this.ds.query(
      `SELECT b.functional_id, b.payment_modality, b.banking_institution_code, b.fa_enc, b.fa_key_id, b.status,
              b.updated_at, p.code AS source_bb_code
       FROM beneficiaries b JOIN participants p ON p.id = b.source_bb_id
       WHERE b.tenant_id = $1 AND b.functional_id = $2
       ORDER BY b.status = 'active' DESC, b.updated_at DESC`,
      [tenantId, functionalId],
    )) as (Omit<DbRow, 'fa_hash'> & { updated_at: Date; source_bb_code: string })[];
  }
}
