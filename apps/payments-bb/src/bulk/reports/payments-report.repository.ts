import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { formatAmount } from '@app/ledger/money';

export interface PaymentsReportFilter {
  tenantId: string;
  /** Only this source BB's batches; null: the whole tenant. */
  sourceBbId: string | null;
  from: Date;
  to: Date;
  programCode?: string;
}

interface GroupRow {
  program_code: string;
  payer_fsp_code: string;
  currency: string;
  state: string;
  instructions: string;
  amount: string | null;
}

/**
 * Payments across programmes, payer FSPs and outcomes for the batches received in a period (spec 6.6: reports
 * across G2P programs and FSPs, analytics on what succeeded and what did not). Aggregated in the database,
 * batch by batch through the (tenant, created_at) index and each batch's primary key: no row leaves it.
 */
@Injectable()
export class PaymentsReportRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async build(f: PaymentsReportFilter) {
    const args = [f.tenantId, f.from, f.to, f.sourceBbId, f.programCode ?? null];
    const scope = `FROM batches b JOIN programs p ON p.id = b.program_id
      WHERE b.tenant_id = $1 AND b.created_at >= $2 AND b.created_at < $3
        AND ($4::uuid IS NULL OR b.source_bb_id = $4) AND ($5::text IS NULL OR p.code = $5)`;
    const [groups, batches, reasons, daily] = await Promise.all([
      this.ds.query(
        `SELECT p.code AS program_code, f.code AS payer_fsp_code, b.currency, i.state,
                count(*)::text AS instructions, sum(i.amount)::text AS amount
         ${scope.replace('WHERE', 'JOIN participants f ON f.id = p.payer_fsp_id JOIN batch_instructions i ON i.batch_id = b.id WHERE')}
         GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
        args,
      ) as Promise<GroupRow[]>,
      this.ds.query(`SELECT b.state, count(*)::int AS n ${scope} GROUP BY 1 ORDER BY 1`, args) as Promise<{ state: string; n: number }[]>,
      this.ds.query(
        `SELECT coalesce(i.reason_code, '') AS reason_code, max(i.reason) AS example, count(*)::int AS n
         ${scope.replace('WHERE', 'JOIN batch_instructions i ON i.batch_id = b.id WHERE')} AND i.state IN ('failed','invalid','unresolved')
         GROUP BY 1 ORDER BY 3 DESC LIMIT 10`,
        args,
      ) as Promise<{ reason_code: string; example: string | null; n: number }[]>,
      this.ds.query(
        `SELECT to_char(date_trunc('day', i.finished_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
                count(*) FILTER (WHERE i.state = 'completed')::int AS completed,
                count(*) FILTER (WHERE i.state = 'failed')::int AS failed
         ${scope.replace('WHERE', 'JOIN batch_instructions i ON i.batch_id = b.id WHERE')} AND i.finished_at IS NOT NULL
         GROUP BY 1 ORDER BY 1`,
        args,
      ) as Promise<{ day: string; completed: number; failed: number }[]>,
    ]);
    return {
      from: f.from.toISOString(),
      to: f.to.toISOString(),
      batchesByState: Object.fromEntries(batches.map((b) => [b.state, b.n])),
      byProgram: this.fold(groups, (g) => `${g.program_code}\u0000${g.currency}`, (g) => ({ programCode: g.program_code, currency: g.currency })),
      byPayerFsp: this.fold(groups, (g) => `${g.payer_fsp_code}\u0000${g.currency}`, (g) => ({ payerFspCode: g.payer_fsp_code, currency: g.currency })),
      topFailureReasons: reasons.map((r) => ({ reasonCode: r.reason_code || null, example: r.example, count: r.n })),
      daily,
    };
  }

  /** Instruction counts and amounts per state, summed over the groups that share a key. Money stays bigint. */
  private fold<K extends object>(rows: GroupRow[], keyOf: (g: GroupRow) => string, head: (g: GroupRow) => K) {
    const out = new Map<string, { head: K; currency: string; states: Map<string, { n: bigint; amount: bigint }> }>();
    for (const g of rows) {
      const k = keyOf(g);
      const entry = out.get(k) ?? { head: head(g), currency: g.currency.trim(), states: new Map() };
      const s = entry.states.get(g.state) ?? { n: 0n, amount: 0n };
      s.n += BigInt(g.instructions);
      s.amount += BigInt(g.amount ?? '0');
      entry.states.set(g.state, s);
      out.set(k, entry);
    }
    return [...out.values()].map((e) => {
      const total = [...e.states.values()].reduce((a, s) => ({ n: a.n + s.n, amount: a.amount + s.amount }), { n: 0n, amount: 0n });
      const paid = e.states.get('completed') ?? { n: 0n, amount: 0n };
      return {
        ...e.head,
        instructions: Number(total.n),
        amount: formatAmount(total.amount, e.currency),
        paidAmount: formatAmount(paid.amount, e.currency),
        successRate: total.n === 0n ? null : Number((paid.n * 10000n) / total.n) / 10000,
        byState: Object.fromEntries([...e.states].map(([state, s]) => [state, { count: Number(s.n), amount: formatAmount(s.amount, e.currency) }])),
      };
    });
  }
}
