import { useMemo, useState } from 'react';
import { useGet } from '../../hooks';
import { useRoute } from '../../router';
import type { PaymentsReport, Program, ReportPeriod } from '../../types';
import { Async, Banner, PageHeader } from '../../ui';
import { PeriodPicker } from './PeriodPicker';
import { customPeriod, lastDays, PRESETS } from './period';
import { ReportBody } from './ReportBody';

/**
 * The payment portal (GovStack Payments spec 6.6): what was paid, per programme and per payer FSP, and what
 * failed and why, for the batches received in a period. Money stays the decimal strings the server sent.
 */
export function ReportsPage() {
  const route = useRoute();
  const preset = route.query.get('period') ?? '30';
  const qFrom = route.query.get('from') ?? '';
  const qTo = route.query.get('to') ?? '';
  const programCode = route.query.get('programCode') ?? '';
  const programs = useGet<Program[]>('/programs');

  // A preset is computed once per choice (and per refresh), so the request does not change at every render.
  const [tick, setTick] = useState(0);
  const period = useMemo<ReportPeriod | string>(() => {
    void tick;
    if (preset === 'custom') return customPeriod(qFrom, qTo);
    const n = Number(preset);
    return lastDays(PRESETS.includes(n as (typeof PRESETS)[number]) ? n : 30);
  }, [preset, qFrom, qTo, tick]);

  const ok = typeof period !== 'string';
  const report = useGet<PaymentsReport>(
    ok ? '/reports/payments' : null,
    ok ? { from: period.from, to: period.to, programCode } : undefined,
  );
  const programName = useMemo(
    () => new Map((programs.data ?? []).map((p) => [p.code, p.name])),
    [programs.data],
  );

  return (
    <div className="page" data-testid="reports-page">
      <PageHeader
        title="Payment reports"
        sub="Across programmes and payer FSPs: what was paid, what failed and why, for the batches received in a period."
      >
        <button
          type="button"
          className="btn"
          onClick={() => {
            setTick((t) => t + 1);
            report.reload();
          }}
          data-testid="refresh-button"
        >
          Refresh
        </button>
      </PageHeader>

      <PeriodPicker
        preset={preset}
        from={qFrom}
        to={qTo}
        programCode={programCode}
        programs={programs.data ?? []}
        period={period}
      />

      {typeof period === 'string' ? (
        <Banner kind="info">{period}</Banner>
      ) : (
        <Async state={report}>
          {(r) => <ReportBody report={r} period={period} programName={programName} />}
        </Async>
      )}
    </div>
  );
}
