import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { DailyChart, RateBar, StackedBar, type DailyPoint, type Segment } from '../charts';
import { useGet } from '../hooks';
import { href, setQuery, useRoute } from '../router';
import { BATCH_STATES, type PaymentsReport, type Program, type ReportGroup } from '../types';
import { Async, Banner, Card, Empty, PageHeader, TableWrap } from '../ui';
import { humanize, money, plural, sumDecimals } from '../format';

/**
 * The payment portal (GovStack Payments spec 6.6): what was paid, per programme and per payer FSP, and what
 * failed and why, for the batches received in a period. Money stays the decimal strings the server sent.
 */

const DAY = 86_400_000;
export const PRESETS = [7, 30, 90] as const;
const MAX_DAYS = 366;

/** Instruction states, grouped the way a finance officer reads them. */
export const FAILED_STATES = ['failed', 'invalid', 'unresolved'];
const OPEN_STATES = ['received', 'ready', 'queued', 'submitted', 'accepted'];

const ymd = (d: Date) => d.toISOString().slice(0, 10);
const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

export interface Period {
  /** Inclusive first day and last day, YYYY-MM-DD (UTC). */
  firstDay: string;
  lastDay: string;
  /** What the server is asked: from the first day's midnight to the midnight after the last day. */
  from: string;
  to: string;
  days: number;
}

/** The last `n` days, today included, in whole UTC days. */
export function lastDays(n: number, now = new Date()): Period {
  const end = new Date(startOfUtcDay(now).getTime() + DAY);
  const start = new Date(end.getTime() - n * DAY);
  return {
    firstDay: ymd(start),
    lastDay: ymd(new Date(end.getTime() - DAY)),
    from: start.toISOString(),
    to: end.toISOString(),
    days: n,
  };
}

function customPeriod(first: string, last: string): Period | string {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  if (!re.test(first) || !re.test(last)) return 'Choose a first and a last day.';
  const start = new Date(`${first}T00:00:00Z`);
  const end = new Date(new Date(`${last}T00:00:00Z`).getTime() + DAY);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return 'Those are not valid dates.';
  if (end <= start) return 'The first day must not be after the last day.';
  const days = Math.round((end.getTime() - start.getTime()) / DAY);
  if (days > MAX_DAYS) return `A report covers at most ${MAX_DAYS} days.`;
  return { firstDay: first, lastDay: last, from: start.toISOString(), to: end.toISOString(), days };
}

/** Every day of the period, zero when nothing finished that day. */
function fillDays(period: Period, daily: PaymentsReport['daily']): DailyPoint[] {
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const out: DailyPoint[] = [];
  for (let t = new Date(period.from).getTime(); t < new Date(period.to).getTime(); t += DAY) {
    const day = ymd(new Date(t));
    const d = byDay.get(day);
    out.push({ day, completed: d?.completed ?? 0, failed: d?.failed ?? 0 });
  }
  // An instruction of a batch received in the period may finish after it: keep those days too.
  for (const d of daily)
    if (d.day > period.lastDay) out.push({ day: d.day, completed: d.completed, failed: d.failed });
  return out;
}

const count = (g: ReportGroup, states: string[]) =>
  states.reduce((a, s) => a + (g.byState[s]?.count ?? 0), 0);

/** Human words for the ISO 20022 status reason codes the server and the usual FSPs give. */
const REASON_WORDS: Record<string, string> = {
  CH16: 'A field is badly formatted',
  AM12: 'Invalid amount',
  AM03: "Not the programme's currency",
  AM04: 'Insufficient funds',
  AM05: 'Duplicate instruction',
  BE06: 'Payee not registered in the account mapper',
  AC01: 'Incorrect account number',
  AC04: 'Account closed',
  AC06: 'Account blocked',
  AG01: 'Payment type not allowed for this payee',
  AB05: 'Timed out at the payer FSP',
  DS02: 'Batch cancelled',
  NARR: 'Sub-batch refused by the payer FSP',
  MS03: 'Refused, reason not given',
  FF01: 'Invalid file format',
  RR04: 'Regulatory reason',
};

export function ReportsPage() {
  const route = useRoute();
  const preset = route.query.get('period') ?? '30';
  const qFrom = route.query.get('from') ?? '';
  const qTo = route.query.get('to') ?? '';
  const programCode = route.query.get('programCode') ?? '';
  const programs = useGet<Program[]>('/programs');

  // A preset is computed once per choice (and per refresh), so the request does not change at every render.
  const [tick, setTick] = useState(0);
  const period = useMemo<Period | string>(() => {
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

function PeriodPicker({
  preset,
  from,
  to,
  programCode,
  programs,
  period,
}: {
  preset: string;
  from: string;
  to: string;
  programCode: string;
  programs: Program[];
  period: Period | string;
}) {
  const route = useRoute();
  const today = ymd(new Date());
  const [first, setFirst] = useState(from || (typeof period !== 'string' ? period.firstDay : ''));
  const [last, setLast] = useState(to || (typeof period !== 'string' ? period.lastDay : today));
  const [editing, setEditing] = useState(false);
  const custom = preset === 'custom' || editing;

  const choose = (n: number) => {
    setEditing(false);
    setQuery(route, { period: String(n), from: undefined, to: undefined });
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setQuery(route, { period: 'custom', from: first, to: last });
  };

  return (
    <Card className="report-filters">
      <div className="period" data-testid="reports-period">
        <div className="field">
          <span id="period-label">Period</span>
          <div className="segmented" role="group" aria-labelledby="period-label">
            {PRESETS.map((n) => (
              <button
                key={n}
                type="button"
                aria-pressed={!custom && preset === String(n)}
                onClick={() => choose(n)}
                data-testid={`reports-period-${n}`}
              >
                Last {n} days
              </button>
            ))}
            <button
              type="button"
              aria-pressed={custom}
              onClick={() => {
                setEditing(true);
                if (typeof period !== 'string') {
                  setFirst(period.firstDay);
                  setLast(period.lastDay);
                }
              }}
              data-testid="reports-period-custom"
            >
              Custom…
            </button>
          </div>
        </div>
        {custom && (
          <form className="period" onSubmit={apply}>
            <label className="field">
              <span>First day</span>
              <input
                type="date"
                required
                value={first}
                max={last || today}
                onChange={(e) => setFirst(e.target.value)}
                data-testid="reports-from"
              />
            </label>
            <label className="field">
              <span>Last day</span>
              <input
                type="date"
                required
                value={last}
                min={first}
                onChange={(e) => setLast(e.target.value)}
                data-testid="reports-to"
              />
            </label>
            <button type="submit" className="btn btn-primary" data-testid="reports-apply">
              Show
            </button>
          </form>
        )}
        <label className="field">
          <span>Programme</span>
          <select
            value={programCode}
            onChange={(e) => setQuery(route, { programCode: e.target.value })}
            data-testid="reports-program-filter"
          >
            <option value="">All programmes</option>
            {programs.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name} ({p.code})
              </option>
            ))}
          </select>
        </label>
      </div>
      {typeof period !== 'string' && (
        <p className="small muted period-note" data-testid="reports-period-text">
          Batches received from {period.firstDay} to {period.lastDay} ({plural(period.days, 'day')}, UTC)
          {programCode ? `, programme ${programCode}` : ', all programmes'}.
        </p>
      )}
    </Card>
  );
}

interface Totals {
  currency: string;
  instructions: number;
  paid: number;
  failed: number;
  open: number;
  cancelled: number;
  amount: string;
  paidAmount: string;
  failedAmount: string;
}

/** Totals per currency: counts add up as numbers, money exactly as decimals (never floats). */
function totalsByCurrency(groups: ReportGroup[]): Totals[] {
  const by = new Map<string, ReportGroup[]>();
  for (const g of groups) by.set(g.currency, [...(by.get(g.currency) ?? []), g]);
  return [...by].map(([currency, gs]) => ({
    currency,
    instructions: gs.reduce((a, g) => a + g.instructions, 0),
    paid: gs.reduce((a, g) => a + count(g, ['completed']), 0),
    failed: gs.reduce((a, g) => a + count(g, FAILED_STATES), 0),
    open: gs.reduce((a, g) => a + count(g, OPEN_STATES), 0),
    cancelled: gs.reduce((a, g) => a + count(g, ['cancelled']), 0),
    amount: sumDecimals(gs.map((g) => g.amount)) ?? '—',
    paidAmount: sumDecimals(gs.map((g) => g.paidAmount)) ?? '—',
    failedAmount:
      sumDecimals(
        gs.flatMap((g) => FAILED_STATES.map((s) => g.byState[s]?.amount).filter((a): a is string => !!a)),
      ) ?? '—',
  }));
}

const rateOf = (part: number, total: number) => (total > 0 ? part / total : null);

function ReportBody({
  report,
  period,
  programName,
}: {
  report: PaymentsReport;
  period: Period;
  programName: Map<string, string>;
}) {
  const totals = totalsByCurrency(report.byProgram);
  const all = totals.reduce(
    (a, t) => ({
      instructions: a.instructions + t.instructions,
      paid: a.paid + t.paid,
      failed: a.failed + t.failed,
      open: a.open + t.open,
    }),
    {
      instructions: 0,
      paid: 0,
      failed: 0,
      open: 0,
    },
  );
  const batches = Object.values(report.batchesByState).reduce((a, n) => a + n, 0);
  const failedTotal = all.failed;
  const points = fillDays(period, report.daily);

  return (
    <>
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

      {batches === 0 && (
        <Banner kind="info" testId="reports-empty">
          No batch was received in this period. Choose a longer period or another programme.
        </Banner>
      )}
      <Card title="Batches by state" actions={<a href={href('/batches')}>All batches →</a>}>
        {batches === 0 ? (
          <p className="muted">No batch.</p>
        ) : (
          <StackedBar
            label="Batches received in the period, by state"
            testId="reports-batches-by-state"
            segments={BATCH_STATES.filter((s) => report.batchesByState[s])
              .map((s): Segment => ({
                label: humanize(s),
                value: report.batchesByState[s],
                tone: BATCH_TONE[s] ?? 'tone-info',
              }))
              .concat(
                Object.keys(report.batchesByState)
                  .filter((s) => !(BATCH_STATES as readonly string[]).includes(s))
                  .map((s) => ({ label: humanize(s), value: report.batchesByState[s], tone: 'tone-6' })),
              )}
          />
        )}
      </Card>

      <Card title="By programme">
        <GroupTable
          testId="reports-by-program"
          label="Payments by programme"
          firstColumn="Programme"
          rows={report.byProgram.map((g) => ({
            key: `${g.programCode}-${g.currency}`,
            rowTestId: `reports-program-row-${g.programCode}`,
            head: (
              <>
                <strong>{programName.get(g.programCode) ?? g.programCode}</strong>
                <div className="small muted">
                  <code>{g.programCode}</code>
                </div>
              </>
            ),
            group: g,
          }))}
          totals={totals}
        />
      </Card>

      <Card title="By payer FSP">
        <GroupTable
          testId="reports-by-fsp"
          label="Payments by payer FSP"
          firstColumn="Payer FSP"
          rows={report.byPayerFsp.map((g) => ({
            key: `${g.payerFspCode}-${g.currency}`,
            rowTestId: `reports-fsp-row-${g.payerFspCode}`,
            head: <strong>{g.payerFspCode}</strong>,
            group: g,
          }))}
          totals={totalsByCurrency(report.byPayerFsp)}
        />
      </Card>

      <Card title="Completed and failed instructions, per day">
        <DailyChart
          points={points}
          label="Instructions completed and failed per day (UTC)"
          testId="reports-daily-chart"
        />
        <p className="small muted">
          By the day the payer FSP gave the final answer (UTC). Instructions refused before payment (invalid,
          payee unknown) are not in this chart but are counted as failed in the tables.
        </p>
      </Card>
      <Card title="Top failure reasons">
        <FailureReasons reasons={report.topFailureReasons} failedTotal={failedTotal} />
      </Card>
    </>
  );
}

const BATCH_TONE: Record<string, string> = {
  completed: 'tone-ok',
  partially_completed: 'tone-warn',
  failed: 'tone-bad',
  cancelled: 'tone-muted',
  awaiting_approval: 'tone-2',
  awaiting_funds: 'tone-4',
};

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

function GroupTable({
  testId,
  label,
  firstColumn,
  rows,
  totals,
}: {
  testId: string;
  label: string;
  firstColumn: string;
  rows: { key: string; rowTestId: string; head: ReactNode; group: ReportGroup }[];
  totals: Totals[];
}) {
  if (!rows.length)
    return (
      <div data-testid={testId}>
        <Empty>No instruction in this period.</Empty>
      </div>
    );
  return (
    <TableWrap label={label}>
      <table data-testid={testId}>
        <thead>
          <tr>
            <th>{firstColumn}</th>
            <th className="num">Instructions</th>
            <th className="num">Amount</th>
            <th className="num">Paid</th>
            <th className="num">Paid amount</th>
            <th className="num">Failed</th>
            <th className="num">In progress</th>
            <th>Success rate</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, rowTestId, head, group: g }) => {
            const failed = count(g, FAILED_STATES);
            const cancelled = count(g, ['cancelled']);
            return (
              <tr key={key} data-testid={rowTestId}>
                <td>{head}</td>
                <td className="num" data-testid="instructions">
                  {g.instructions.toLocaleString()}
                </td>
                <td className="num" data-testid="amount">
                  {money(g.amount, g.currency)}
                </td>
                <td className="num">{count(g, ['completed']).toLocaleString()}</td>
                <td className="num" data-testid="paid-amount">
                  {money(g.paidAmount, g.currency)}
                </td>
                <td className="num">
                  {failed ? <span className="text-bad">{failed.toLocaleString()}</span> : '0'}
                  {cancelled > 0 && (
                    <div className="small muted">+{cancelled.toLocaleString()} cancelled</div>
                  )}
                </td>
                <td className="num">{count(g, OPEN_STATES).toLocaleString()}</td>
                <td>
                  <RateBar rate={g.successRate} label="Success rate" testId="success-rate" />
                </td>
              </tr>
            );
          })}
        </tbody>
        {(rows.length > 1 || totals.length > 1) && (
          <tfoot>
            {totals.map((t) => (
              <tr key={t.currency} data-testid={`${testId}-total-${t.currency}`}>
                <th scope="row">Total {t.currency}</th>
                <td className="num">{t.instructions.toLocaleString()}</td>
                <td className="num">{money(t.amount, t.currency)}</td>
                <td className="num">{t.paid.toLocaleString()}</td>
                <td className="num">{money(t.paidAmount, t.currency)}</td>
                <td className="num">{t.failed.toLocaleString()}</td>
                <td className="num">{t.open.toLocaleString()}</td>
                <td>
                  <RateBar rate={rateOf(t.paid, t.instructions)} label={`Success rate, all ${t.currency}`} />
                </td>
              </tr>
            ))}
          </tfoot>
        )}
      </table>
    </TableWrap>
  );
}

function FailureReasons({
  reasons,
  failedTotal,
}: {
  reasons: PaymentsReport['topFailureReasons'];
  failedTotal: number;
}) {
  if (!reasons.length)
    return (
      <div data-testid="reports-failure-reasons">
        <p className="text-ok">No instruction failed in this period.</p>
      </div>
    );
  return (
    <TableWrap label="Top failure reasons">
      <table data-testid="reports-failure-reasons" className="compact">
        <thead>
          <tr>
            <th>Reason</th>
            <th className="num">Instructions</th>
            <th>Share of failures</th>
          </tr>
        </thead>
        <tbody>
          {reasons.map((r) => (
            <tr key={r.reasonCode ?? ''} data-testid={`reports-reason-${r.reasonCode ?? 'none'}`}>
              <td className="break">
                <span className="reason-code">{r.reasonCode ? <code>{r.reasonCode}</code> : 'No code'}</span>
                {r.reasonCode && REASON_WORDS[r.reasonCode] && <> {REASON_WORDS[r.reasonCode]}</>}
                {r.example && <div className="small muted">e.g. “{r.example}”</div>}
              </td>
              <td className="num">{r.count.toLocaleString()}</td>
              <td>
                <RateBar
                  rate={rateOf(r.count, failedTotal)}
                  label={`Share of failures, ${r.reasonCode ?? 'no code'}`}
                  tone="tone-bad"
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
