import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { tenantsOf } from '../masters/masters.repository';
import { DEFAULT_ID_FORMATS, formatId } from './id-format';

/**
 * DIGIT's idgen, inside the caller's transaction: a counter row per tenant and sequence, so a request that fails
 * rolls its numbers back and receipt numbers have no gaps (DIGIT's Postgres sequences do). The row stays locked
 * until the transaction ends, which orders the receipts of one tenant and sequence.
 */
@Injectable()
export class IdGenerator {
  async generate(
    m: EntityManager,
    tenantId: string,
    idName: string,
    module?: string,
    fallback?: string,
  ): Promise<string> {
    const rows = (await m.query(
      `SELECT format FROM digit_id_formats WHERE tenant_id = ANY($1::text[]) AND id_name = $2 ORDER BY length(tenant_id) DESC LIMIT 1`,
      [tenantsOf(tenantId), idName],
    )) as { format: string }[];
    const format =
      rows[0]?.format ?? DEFAULT_ID_FORMATS[idName] ?? (fallback ? DEFAULT_ID_FORMATS[fallback] : undefined);
    if (!format) throw new Error(`No ID format ${idName}`);
    return formatId(format, {
      tenantId,
      module,
      next: async (sequence) => {
        const r = (await m.query(
          `INSERT INTO digit_id_counters (tenant_id, name, value) VALUES ($1, $2, 1)
           ON CONFLICT (tenant_id, name) DO UPDATE SET value = digit_id_counters.value + 1 RETURNING value`,
          [tenantId, sequence],
        )) as { value: string }[];
        return BigInt(r[0].value);
      },
    });
  }

  /** Whether the tenant has its own format for this ID (service-based receipt numbers). */
  async has(m: EntityManager, tenantId: string, idName: string): Promise<boolean> {
    const rows = (await m.query(
      `SELECT 1 FROM digit_id_formats WHERE tenant_id = ANY($1::text[]) AND id_name = $2 LIMIT 1`,
      [tenantsOf(tenantId), idName],
    )) as unknown[];
    return rows.length > 0;
  }

  async setFormats(
    m: EntityManager,
    tenantId: string,
    formats: { idName: string; format: string }[],
  ): Promise<void> {
    for (const f of formats)
      await m.query(
        `INSERT INTO digit_id_formats (tenant_id, id_name, format) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, id_name) DO UPDATE SET format = EXCLUDED.format`,
        [tenantId, f.idName, f.format],
      );
  }
}
