import { EntityManager } from 'typeorm';

/** DIGIT tenants (pb, pb.amritsar) are tenants of the server too: ledger accounts and audit rows name them. */
export async function ensureTenants(m: EntityManager, tenantIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(tenantIds)];
  if (ids.length)
    await m.query(
      `INSERT INTO tenants (id, name) SELECT t, t FROM unnest($1::text[]) AS t ON CONFLICT (id) DO NOTHING`,
      [ids],
    );
}
