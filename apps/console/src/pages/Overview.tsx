import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { BarChart, RateBar } from '../charts';
import { asApiError, useGet } from '../hooks';
import type { ApiError } from '../api';
import { href } from '../router';
import { RUNNING_STATES, type Advice, type BatchList, type Delivery, type PaymentsReport, type VoucherGroup, type VoucherStock } from '../types';
import { Card, ErrorBanner, Loading, PageHeader } from '../ui';
import { humanize, money, sumDecimals } from '../format';
import { count, FAILED_STATES } from './reports/instructions';
import { lastDays } from './reports/period';

const LIMIT = 500;

function Stat({
  label,
  value,
  error,
  to,
  tone,
  testId,
  capped,
}: {
  label: string;
  value: number | undefined;
  error: ApiError | undefined;
  to: string;
  tone: 'warn' | 'bad' | 'info';
  testId: string;
  capped?: boolean;
}) {
  return (
    <a className={`stat ${value ? `stat-${tone}` : ''}`} href={href(to)} data-testid={testId}>
      <span className="stat-label">{label}</span>
      {error ? (
        <span className="stat-error" title={`${error.code ?? ''} ${error.message}`}>
          {error.status === 403 ? 'Not available to your role' : 'Could not load'}
        </span>
      ) : value === undefined ? (
        <span className="stat-value muted">…</span>
      ) : (
        <span className="stat-value" data-testid={`${testId}-value`}>
          {value.toLocaleString()}
          {capped ? '+' : ''}
        </span>
      )}
    </a>
  );
}

export function OverviewPage() {
  const awaiting = useGet<BatchList>('/api/v1/batches', { state: 'awaiting_approval', limit: LIMIT });
  const failedCallbacks = useGet<{ items: Delivery[] }>('/callbacks/deliveries', { status: 'failed', limit: 200 });
  const advices = useGet<Advice[]>('/p2g/advices', { status: 'pending', limit: 1000 });
  const [running, setRunning] = useState<{ byState?: Record<string, number>; error?: ApiError }>({});
  const [stock, setStock] = useState<{ low?: string[]; error?: ApiError }>({});
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stop = false;
    Promise.all(RUNNING_STATES.map((state) => api.get<BatchList>('/api/v1/batches', { state, limit: LIMIT }).then((l) => [state, l.items.length] as const)))
      .then((pairs) => !stop && setRunning({ byState: Object.fromEntries(pairs) }))
      .catch((e: unknown) => !stop && setRunning({ error: asApiError(e) }));
    api
      .get<VoucherGroup[]>('/voucher-groups', { limit: 1000 })
      .then((groups) => Promise.all(groups.map((g) => api.get<VoucherStock>(`/voucher-groups/${encodeURIComponent(g.code)}/stock`))))
      .then((stocks) => !stop && setStock({ low: stocks.filter((s) => s.lowStock).map((s) => s.groupCode) }))
      .catch((e: unknown) => !stop && setStock({ error: asApiError(e) }));
    return () => {
      stop = true;
    };
  }, [tick]);

  const runningTotal = running.byState ? Object.values(running.byState).reduce((a, b) => a + b, 0) : undefined;
  const refresh = () => {
    awaiting.reload();
    failedCallbacks.reload();
    advices.reload();
    setTick((t) => t + 1);
  };

  return (
    <div className="page">
      <PageHeader title="Overview" sub="What needs attention now.">
        <button type="button" className="btn" onClick={refresh} data-testid="refresh-button">
          Refresh
        </button>
      </PageHeader>
      <div className="stats">
        <Stat
          label="Batches awaiting approval"
          value={awaiting.data?.items.length}
          capped={awaiting.data?.items.length === LIMIT}
          error={awaiting.error}
          to="/batches?state=awaiting_approval"
          tone="warn"
          testId="stat-awaiting-approval"
        />
        <Stat label="Batches running" value={runningTotal} error={running.error} to="/batches" tone="info" testId="stat-running" />
        <Stat
          label="Failed callbacks"
          value={failedCallbacks.data?.items.length}
          capped={failedCallbacks.data?.items.length === 200}
          error={failedCallbacks.error}
          to="/callbacks?status=failed"
          tone="bad"
          testId="stat-failed-callbacks"
        />
        <Stat label="Advices waiting for billers" value={advices.data?.length} error={advices.error} to="/bills?tab=advices&status=pending" tone="warn" testId="stat-pending-advices" />
        <Stat label="Voucher groups low on stock" value={stock.low?.length} error={stock.error} to="/vouchers" tone="bad" testId="stat-low-stock" />
      </div>
      {stock.low && stock.low.length > 0 && (
        <div className="banner banner-warn" role="alert" data-testid="low-stock-banner">
          <div className="banner-body">
            <strong>Low voucher stock:</strong> {stock.low.join(', ')}. <a href={href('/vouchers')}>See the voucher groups</a>.
          </div>
        </div>
      )}
      <Card title="Batches in progress, by stage">
        {running.error ? (
          <ErrorBanner error={running.error} />
        ) : !running.byState ? (
          <Loading />
        ) : runningTotal === 0 ? (
          <p className="muted">No batch is in progress.</p>
        ) : (
          <BarChart
            label="Batches in progress by stage"
            testId="running-chart"
            bars={RUNNING_STATES.map((s) => ({ label: humanize(s), value: running.byState?.[s] ?? 0, tone: s === 'awaiting_funds' ? 'tone-warn' : 'tone-info' }))}
          />
        )}
      </Card>
      <LastWeek tick={tick} />
    </div>
  );
}

/** Paid, failed and the success rate of the batches received in the last 7 days, from the payments report. */
function LastWeek({ tick }: { tick: number }) {
  const period = useMemo(() => {
    void tick;
    return lastDays(7);
  }, [tick]);
  const report = useGet<PaymentsReport>('/reports/payments', { from: period.from, to: period.to });
  const r = report.data;
  const sum = (pick: (g: PaymentsReport['byProgram'][number]) => number) => (r ? r.byProgram.reduce((a, g) => a + pick(g), 0) : 0);
  const instructions = sum((g) => g.instructions);
  const paid = sum((g) => g.byState.completed?.count ?? 0);
  const failed = sum((g) => count(g, FAILED_STATES));
  const currencies = r ? [...new Set(r.byProgram.map((g) => g.currency))] : [];
  const paidAmounts = currencies.map((c) => money(sumDecimals(r!.byProgram.filter((g) => g.currency === c).map((g) => g.paidAmount)) ?? '—', c));
  return (
    <Card
      title="Payments, last 7 days"
      actions={
        <a href={href('/reports?period=7')} data-testid="overview-reports-link">
          Open the reports →
        </a>
      }
    >
      <div data-testid="overview-last7">
        {report.error ? (
          report.error.status === 403 ? (
            <p className="muted">Payment reports are not available to your role.</p>
          ) : (
            <ErrorBanner error={report.error} />
          )
        ) : !r ? (
          <Loading />
        ) : instructions === 0 ? (
          <p className="muted">No batch was received in the last 7 days.</p>
        ) : (
          <div className="stats stats-compact">
            <a className="stat stat-ok" href={href('/reports?period=7')} data-testid="overview-last7-paid">
              <span className="stat-label">Instructions paid</span>
              <span className="stat-value" data-testid="overview-last7-paid-value">
                {paid.toLocaleString()}
              </span>
              <span className="stat-sub">
                of {instructions.toLocaleString()} · {paidAmounts.join(' · ')}
              </span>
            </a>
            <a className="stat stat-info" href={href('/reports?period=7')} data-testid="overview-last7-rate">
              <span className="stat-label">Success rate</span>
              <RateBar rate={paid / instructions} label="Success rate, last 7 days" testId="overview-last7-rate-value" />
            </a>
            <a className={`stat ${failed ? 'stat-bad' : ''}`} href={href('/reports?period=7')} data-testid="overview-last7-failed">
              <span className="stat-label">Instructions failed</span>
              <span className="stat-value" data-testid="overview-last7-failed-value">
                {failed.toLocaleString()}
              </span>
              <span className="stat-sub">invalid, payee unknown or refused</span>
            </a>
          </div>
        )}
      </div>
    </Card>
  );
}
