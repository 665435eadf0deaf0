import { DailyChart, StackedBar, type Segment } from '../../charts';
import { href } from '../../router';
import { BATCH_STATES, type PaymentsReport, type ReportPeriod } from '../../types';
import { Banner, Card } from '../../ui';
import { humanize } from '../../format';
import { FailureReasons } from './FailureReasons';
import { GroupTable } from './GroupTable';
import { totalsByCurrency } from './instructions';
import { fillDays } from './period';
import { SummaryStats } from './SummaryStats';

/** A payments report: the headline figures, then batches by state, by programme, by payer FSP, per day, failure reasons. */
export function ReportBody({
  report,
  period,
  programName,
}: {
  report: PaymentsReport;
  period: ReportPeriod;
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
      <SummaryStats batches={batches} all={all} totals={totals} />

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
          groups={report.byProgram}
          codeOf={(g) => g.programCode}
          rowTestPrefix="reports-program-row-"
          head={(g) => (
            <>
              <strong>{programName.get(g.programCode) ?? g.programCode}</strong>
              <div className="small muted">
                <code>{g.programCode}</code>
              </div>
            </>
          )}
        />
      </Card>

      <Card title="By payer FSP">
        <GroupTable
          testId="reports-by-fsp"
          label="Payments by payer FSP"
          firstColumn="Payer FSP"
          groups={report.byPayerFsp}
          codeOf={(g) => g.payerFspCode}
          rowTestPrefix="reports-fsp-row-"
          head={(g) => <strong>{g.payerFspCode}</strong>}
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
