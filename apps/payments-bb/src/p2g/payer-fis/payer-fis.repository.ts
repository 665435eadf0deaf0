import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface PayerFi {
  tenantId: string;
  participantId: string;
  code: string;
  bic: string;
  baseUrl: string;
  status: 'active' | 'disabled';
  createdAt: Date;
}

interface Row {
  tenant_id: string;
  participant_id: string;
  code: string;
  bic: string;
  base_url: string;
  status: 'active' | 'disabled';
  participant_status: string;
  created_at: Date;
}

const SELECT = `SELECT f.tenant_id, f.participant_id, p.code, f.bic, f.base_url, f.created_at, p.status AS participant_status,
                       f.status
                FROM payer_fis f JOIN participants p ON p.id = f.participant_id`;

function toPayerFi(r: Row): PayerFi {
  return {
    tenantId: r.tenant_id,
    participantId: r.participant_id,
    code: r.code,
    bic: r.bic,
    baseUrl: r.base_url,
    // A disabled client is a disabled payer FI, whatever its P2G row says.
    status: r.status === 'active' && r.participant_status === 'active' ? 'active' : 'disabled',
    createdAt: r.created_at,
  };
}

/** Payer FIs linked for bill payment (spec 9.3.2): which FSP participant, its BIC and where its P2G API is. */
@Injectable()
export class PayerFisRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** False when the participant or the BIC is already linked. */
  async insert(
    m: EntityManager,
    f: { tenantId: string; participantId: string; bic: string; baseUrl: string },
  ) {
    const rows = (await m.query(
      `INSERT INTO payer_fis (tenant_id, participant_id, bic, base_url) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING participant_id`,
      [f.tenantId, f.participantId, f.bic, f.baseUrl],
    )) as unknown[];
    return rows.length === 1;
  }

  async update(
    m: EntityManager,
    tenantId: string,
    participantId: string,
    p: { baseUrl?: string; status?: string },
  ) {
    await m.query(
      `UPDATE payer_fis SET base_url = COALESCE($3, base_url), status = COALESCE($4, status), updated_at = now()
       WHERE tenant_id = $1 AND participant_id = $2`,
      [tenantId, participantId, p.baseUrl ?? null, p.status ?? null],
    );
  }

  async byParticipant(
    tenantId: string,
    participantId: string,
    m?: EntityManager,
  ): Promise<PayerFi | undefined> {
    const rows = (await (m ?? this.ds.manager).query(
      `${SELECT} WHERE f.tenant_id = $1 AND f.participant_id = $2`,
      [tenantId, participantId],
    )) as Row[];
    return rows[0] ? toPayerFi(rows[0]) : undefined;
  }

  async byBic(tenantId: string, bic: string): Promise<PayerFi | undefined> {
    const rows = (await this.ds.query(`${SELECT} WHERE f.tenant_id = $1 AND upper(f.bic) = upper($2)`, [
      tenantId,
      bic,
    ])) as Row[];
    return rows[0] ? toPayerFi(rows[0]) : undefined;
  }

  async byCodeOrBic(tenantId: string, name: string): Promise<PayerFi | undefined> {
    const rows = (await this.ds.query(
      `${SELECT} WHERE f.tenant_id = $1 AND (p.code = $2 OR upper(f.bic) = upper($2)) ORDER BY (p.code = $2) DESC LIMIT 1`,
      [tenantId, name],
    )) as Row[];
    return rows[0] ? toPayerFi(rows[0]) : undefined;
  }

  async list(tenantId: string): Promise<PayerFi[]> {
    const rows = (await this.ds.query(`${SELECT} WHERE f.tenant_id = $1 ORDER BY p.code`, [
      tenantId,
    ])) as Row[];
    return rows.map(toPayerFi);
  }
}
