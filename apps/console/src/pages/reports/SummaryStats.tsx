import type { ReactNode } from 'react';
import type { ReportTotals } from '../../types';
import { money, plural } from '../../format';

/** The instructions of the whole report, all currencies together. */
export interface Overall {
  instructions: number;
  paid: number;
  failed: number;
  open: number;
}

/** The headline figures of a payments report: batches, paid, success rate, failed, still in progress. */
export function SummaryStats({ batches, all, totals }: { batches: number; all: Overall; totals: ReportTotals[] }) {
  return (
    <div className="stats" data-testid="reports-summary">
      <SummaryStat
        label="Batches received"
        value={batches.toLocaleString()}
        testId="reports-stat-batches"
        sub={plural(all.instructions, 'instruction')}
      />
      <SummaryStat
        label="Instructions paid"
        tone="ok"
        value={all.paid.toLocaleString()}
        testId="reports-stat-paid"
        sub={totals.map((t) => money(t.paidAmount, t.currency)).join(' · ') || 'Nothing paid'}
      />
      <SummaryStat
        label="Success rate"
        tone={all.instructions && all.paid / all.instructions < 0.8 ? 'bad' : 'info'}
        value={all.instructions ? `${((all.paid / all.instructions) * 100).toFixed(1)}%` : '—'}
        testId="reports-stat-rate"
        sub="paid ÷ all instructions"
      />
      <SummaryStat
        label="Instructions failed"
        tone={all.failed ? 'bad' : undefined}
        value={all.failed.toLocaleString()}
        testId="reports-stat-failed"
        sub={
          totals
            .filter((t) => t.failed)
            .map((t) => money(t.failedAmount, t.currency))
            .join(' · ') || 'None'
        }
      />
      <SummaryStat
        label="Still in progress"
        value={all.open.toLocaleString()}
        testId="reports-stat-open"
        sub="not final yet"
      />
    </div>
  );
}

function SummaryStat({
  label,
  value,
  sub,
  tone,
  testId,
}: {
  label: string;
  value: string;
  sub?: ReactNode;
  tone?: 'ok' | 'bad' | 'info';
  testId: string;
}) {
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`} data-testid={testId}>
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={`${testId}-value`}>
        {value}
      </span>
      {sub && <span className="stat-sub">{sub}</span>}
    </div>
  );
}
