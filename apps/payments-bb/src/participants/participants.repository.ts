import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ParticipantKind } from '@app/platform';
import { Participant, ParticipantWithSecrets } from './participant';

interface Row {
  id: string;
  tenant_id: string;
  code: string;
  name: string;
  kind: ParticipantKind;
  scopes: string[];
  status: 'active' | 'disabled';
  client_id: string;
  callback_bases: string[];
  created_at: Date;
  client_secret_hash: string;
  api_key_hash: string;
}

const COLUMNS = `id, tenant_id, code, name, kind, scopes, status, client_id, callback_bases, created_at,
                 client_secret_hash, api_key_hash`;

function toParticipant(r: Row): ParticipantWithSecrets {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    code: r.code,
    name: r.name,
    kind: r.kind,
    scopes: r.scopes,
    status: r.status,
    clientId: r.client_id,
    callbackBases: r.callback_bases,
    createdAt: r.created_at,
    clientSecretHash: r.client_secret_hash,
    apiKeyHash: r.api_key_hash,
  };
}

export function publicView(p: ParticipantWithSecrets): Participant {
  const { clientSecretHash: _c, apiKeyHash: _a, ...rest } = p;
  return rest;
}

export interface NewParticipantRow {
  tenantId: string;
  code: string;
  name: string;
  kind: ParticipantKind;
  scopes: string[];
  callbackBases: string[];
  clientId: string;
  clientSecretHash: string;
  apiKeyId: string;
  apiKeyHash: string;
  callbackSecretEnc: Buffer;
  callbackSecretKeyId: string;
}

@Injectable()
export class ParticipantsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private async one(sql: string, params: unknown[], m?: EntityManager): Promise<ParticipantWithSecrets | undefined> {
    // TypeORM answers an UPDATE ... RETURNING with [rows, rowCount], a SELECT or INSERT with rows.
    const raw = (await (m ?? this.ds.manager).query(sql, params)) as Row[] | [Row[], number];
    const rows = (Array.isArray(raw[0]) ? raw[0] : raw) as Row[];
    return rows[0] && toParticipant(rows[0]);
  }

  findByApiKeyId(apiKeyId: string) {
    return this.one(`SELECT ${COLUMNS} FROM participants WHERE api_key_id = $1`, [apiKeyId]);
  }

  findByClientId(clientId: string) {
    return this.one(`SELECT ${COLUMNS} FROM participants WHERE client_id = $1`, [clientId]);
  }

  findById(tenantId: string, id: string) {
    return this.one(`SELECT ${COLUMNS} FROM participants WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  }

  findByCode(tenantId: string, code: string, m?: EntityManager) {
    return this.one(`SELECT ${COLUMNS} FROM participants WHERE tenant_id = $1 AND code = $2`, [tenantId, code], m);
  }

  async list(tenantId: string, limit: number, offset: number): Promise<ParticipantWithSecrets[]> {
    const rows = (await this.ds.query(
      `SELECT ${COLUMNS} FROM participants WHERE tenant_id = $1 ORDER BY created_at, code LIMIT $2 OFFSET $3`,
      [tenantId, limit, offset],
    )) as Row[];
    return rows.map(toParticipant);
  }

  async ensureTenant(m: EntityManager, tenantId: string, name: string): Promise<void> {
    await m.query(`INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [tenantId, name]);
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    const rows = (await this.ds.query(`SELECT 1 FROM tenants WHERE id = $1`, [tenantId])) as unknown[];
    return rows.length > 0;
  }

  async insert(m: EntityManager, p: NewParticipantRow): Promise<ParticipantWithSecrets | undefined> {
    return this.one(
      `INSERT INTO participants (tenant_id, code, name, kind, scopes, callback_bases, client_id, client_secret_hash,
                                 api_key_id, api_key_hash, callback_secret_enc, callback_secret_key_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
       ON CONFLICT (tenant_id, code) DO NOTHING
       RETURNING ${COLUMNS}`,
      [p.tenantId, p.code, p.name, p.kind, p.scopes, p.callbackBases, p.clientId, p.clientSecretHash, p.apiKeyId,
        p.apiKeyHash, p.callbackSecretEnc, p.callbackSecretKeyId],
      m,
    );
  }

  async replaceCredentials(
    m: EntityManager,
    tenantId: string,
    id: string,
    c: Pick<NewParticipantRow, 'clientSecretHash' | 'apiKeyId' | 'apiKeyHash' | 'callbackSecretEnc' | 'callbackSecretKeyId'>,
  ) {
    return this.one(
      `UPDATE participants SET client_secret_hash = $3, api_key_id = $4, api_key_hash = $5, callback_secret_enc = $6,
              callback_secret_key_id = $7, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tenantId, id, c.clientSecretHash, c.apiKeyId, c.apiKeyHash, c.callbackSecretEnc, c.callbackSecretKeyId],
      m,
    );
  }

  async update(
    m: EntityManager,
    tenantId: string,
    id: string,
    patch: { status?: string; scopes?: string[]; callbackBases?: string[]; name?: string },
  ) {
    return this.one(
      `UPDATE participants SET status = COALESCE($3, status), scopes = COALESCE($4, scopes),
              callback_bases = COALESCE($5, callback_bases), name = COALESCE($6, name), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tenantId, id, patch.status ?? null, patch.scopes ?? null, patch.callbackBases ?? null, patch.name ?? null],
      m,
    );
  }
}
