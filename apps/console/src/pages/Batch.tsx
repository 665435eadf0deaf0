import { useEffect, useState, type ReactNode } from 'react';
import { api, qs, seg } from '../api';
import { Donut, ProgressBar, StackedBar } from '../charts';
import { DataTable, num } from '../components/DataTable';
import { useAction, useGet } from '../hooks';
import { href, navigate } from '../router';
import { SCOPE, useSession } from '../session';
import { CANCELLABLE_STATES, TERMINAL_STATES, type BatchActionAnswer, type BatchDetailItem, type BatchSummary } from '../types';
import { Async, Card, ErrorBanner, Facts, Loading, PageHeader, StatusBadge, useConfirm, useToast } from '../ui';
import { dateTime, humanize, money, plural } from '../format';

const PAGE = 50;

export function BatchPage({ batchId }: { batchId: string }) {
  const { can } = useSession();
  const [live, setLive] = useState(true);
  const summary = useGet<BatchSummary>('/api/v1/batch/summary', { batchId }, { pollMs: 2000, poll: live });
  const s = summary.data;
  const terminal = s ? TERMINAL_STATES.includes(s.status) : false;
  useEffect(() => {
    if (s) setLive(!TERMINAL_STATES.includes(s.status));
  }, [s]);

  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();

  if (!s)
    return (
      <div className="page">
        <PageHeader title="Batch" sub={<code>{batchId}</code>} />
        {summary.error ? <ErrorBanner error={summary.error} /> : <Loading />}
        <p>
          <a href={href('/batches')}>← All batches</a>
        </p>
      </div>
    );

  const id = s.batchId;
  const after = (verb: string) => (a: BatchActionAnswer | undefined) => {
    if (!a) return;
    toast(`Batch ${verb}: now ${humanize(a.status)}.`);
    summary.reload();
  };

  const approve = async () => {
    const ok = await confirm({
      title: 'Approve this batch?',
      message: (
        <p>
          {plural(s.TotalTransactions, 'instruction')} for <strong>{money(s.amounts.total, s.currency)}</strong> from program{' '}
          <strong>{s.programCode}</strong> will be paid out. You cannot approve a batch you submitted yourself.
        </p>
      ),
      confirmLabel: 'Approve and pay',
    });
    if (ok) after('approved')(await action.run(() => api.post<BatchActionAnswer>(`/api/v1/batches/${seg(id)}/approve`)));
  };

  /** Rejecting and cancelling both end the batch for good, with an optional reason. */
  const end = async (verb: 'reject' | 'cancel', done: string, { reasonLabel, ...ask }: { title: string; message: ReactNode; confirmLabel: string; reasonLabel: string }) => {
    const ok = await confirm({ ...ask, danger: true, reason: { label: reasonLabel, maxLength: 150 } });
    if (ok)
      after(done)(await action.run(() => api.post<BatchActionAnswer>(`/api/v1/batches/${seg(id)}/${verb}`, ok.reason ? { reason: ok.reason } : {})));
  };

  const reject = () =>
    end('reject', 'rejected', {
      title: 'Reject this batch?',
      message: <p>The batch will be cancelled, its reserved funds released and its source told. This cannot be undone.</p>,
      confirmLabel: 'Reject batch',
      reasonLabel: 'Reason (the maker and the source will see it)',
    });

  const cancel = () =>
    end('cancel', 'cancelled', {
      title: 'Cancel this batch?',
      message: <p>Nothing has gone to the payer FSP yet. Cancelling releases the reserved funds; no instruction of this batch will be paid.</p>,
      confirmLabel: 'Cancel batch',
      reasonLabel: 'Reason',
    });

  const retry = async () => {
    const ok = await confirm({
      title: 'Retry the failed instructions?',
      message: (
        <p>
          The {plural(s.failed, 'failed instruction')} ({money(s.amounts.failed, s.currency)}) will be sent again as a new batch linked to this one.
        </p>
      ),
      confirmLabel: 'Create retry batch',
    });
    if (!ok) return;
    const a = await action.run(() => api.post<BatchActionAnswer>(`/api/v1/batches/${seg(id)}/retry`));
    if (a) {
      toast(`Retry batch created with ${plural(a.instructionCount, 'instruction')}.`);
      navigate(`/batches/${a.batchId}`);
    }
  };

  const done = s.completed + s.failed;
  return (
    <div className="page">
      <PageHeader
        title={`Batch ${s.externalBatchId ?? ''}`.trim()}
        sub={
          <>
            <code>{s.batchId}</code> · program <strong>{s.programCode}</strong> · received {dateTime(s.createdAt)}
          </>
        }
      >
        <StatusBadge status={s.status} testId="batch-status" />
        <button type="button" className="btn" onClick={summary.reload} data-testid="refresh-button">
          Refresh
        </button>
      </PageHeader>
      <p>
        <a href={href('/batches')}>← All batches</a>
        {s.retryOf && (
          <>
            {' · '}retry of <a href={href(`/batches/${s.retryOf}`)}>{s.retryOf}</a>
          </>
        )}
      </p>
      {s.statusReason && (
        <div className="banner banner-info" data-testid="batch-status-reason">
          <div className="banner-body">{s.statusReason}</div>
        </div>
      )}
      {!terminal && <p className="small muted live-note">Updating every 2 seconds while the batch is in progress.</p>}
      <ErrorBanner error={action.error} onClose={action.clear} />
      {summary.error && <ErrorBanner error={summary.error} />}

      <div className="actions-bar">
        {s.status === 'awaiting_approval' && can(SCOPE.bulkApprove) && (
          <>
            <button type="button" className="btn btn-primary" disabled={action.busy} onClick={() => void approve()} data-testid="approve-button">
              Approve
            </button>
            <button type="button" className="btn btn-danger" disabled={action.busy} onClick={() => void reject()} data-testid="reject-button">
              Reject
            </button>
          </>
        )}
        {CANCELLABLE_STATES.includes(s.status) && can(...SCOPE.bulkOperate) && (
          <button type="button" className="btn btn-danger-outline" disabled={action.busy} onClick={() => void cancel()} data-testid="cancel-button">
            Cancel batch
          </button>
        )}
        {terminal && s.failed > 0 && s.status !== 'cancelled' && can(...SCOPE.bulkOperate) && (
          <button type="button" className="btn" disabled={action.busy} onClick={() => void retry()} data-testid="retry-button">
            Retry failed
          </button>
        )}
        <a className="btn" href={`/api/v1/batch/report${qs({ batchId: s.batchId })}`} download data-testid="report-link">
          Download CSV report
        </a>
      </div>

      <div className="grid-2">
        <Card title="Progress">
          <ProgressBar
            value={done}
            max={s.TotalTransactions}
            label={`${done.toLocaleString()} of ${plural(s.TotalTransactions, 'instruction')} finished`}
            testId="batch-progress"
          />
          <Facts
            items={[
              ['Paid', `${s.completed.toLocaleString()} · ${money(s.amounts.completed, s.currency)}`],
              ['Failed', `${s.failed.toLocaleString()} · ${money(s.amounts.failed, s.currency)}`],
              ['In progress', `${s.ongoing.toLocaleString()} · ${money(s.amounts.ongoing, s.currency)}`],
              ['Total', money(s.amounts.total, s.currency)],
              ['Reserved now', money(s.amounts.reserved, s.currency)],
              ['Posted', money(s.amounts.posted, s.currency)],
              ['Released', money(s.amounts.released, s.currency)],
              ['Duplicate payees', s.duplicatePayees.toLocaleString()],
              ['Approved by', s.approvedBy ? `${s.approvedBy} · ${dateTime(s.approvedAt)}` : '—'],
              ['Finished', dateTime(s.completedAt)],
            ]}
          />
        </Card>
        <Card title="Status of the instructions">
          <Donut
            label="Instructions by status"
            testId="batch-status-chart"
            segments={[
              { label: 'Paid (ACSC)', value: s.byStatus.ACSC, tone: 'tone-ok' },
              { label: 'Accepted (ACCP)', value: s.byStatus.ACCP, tone: 'tone-info' },
              { label: 'Pending (PDNG)', value: s.byStatus.PDNG, tone: 'tone-muted' },
              { label: 'Rejected (RJCT)', value: s.byStatus.RJCT, tone: 'tone-bad' },
            ]}
          />
          {s.subBatches.total > 0 && (
            <>
              <h3>Sub-batches sent to the payer FSP ({s.subBatches.total})</h3>
              <StackedBar
                label="Sub-batches by state"
                segments={[
                  { label: 'Completed', value: s.subBatches.completed, tone: 'tone-ok' },
                  { label: 'Submitted', value: s.subBatches.submitted, tone: 'tone-info' },
                  { label: 'Submitting', value: s.subBatches.submitting, tone: 'tone-warn' },
                  { label: 'Pending', value: s.subBatches.pending, tone: 'tone-muted' },
                  { label: 'Rejected', value: s.subBatches.rejected, tone: 'tone-bad' },
                ]}
              />
            </>
          )}
        </Card>
      </div>
      <FailedInstructions batchId={s.batchId} failed={s.failed} />
    </div>
  );
}

function FailedInstructions({ batchId, failed }: { batchId: string; failed: number }) {
  const [pageNo, setPageNo] = useState(0);
  const detail = useGet<BatchDetailItem[]>('/api/v1/batch/detail', { batchId, status: 'RJCT', pageNo, pageSize: PAGE });
  const { reload } = detail;
  useEffect(() => {
    reload();
  }, [failed, reload]);
  return (
    <Card title={`Failed instructions (${failed.toLocaleString()})`}>
      <Async state={detail} isEmpty={(d) => d.length === 0 && pageNo === 0} empty="No instruction has failed.">
        {(rows) => (
          <>
            <DataTable label="Failed instructions" testId="failed-table" columns={['Instruction', 'Payee', num('Amount'), 'Stage', 'Reason']}>
              {rows.map((r) => (
                <tr key={r.transactionId} data-testid={`failed-row-${r.transactionId}`}>
                  <td>
                    <code>{r.transactionId}</code>
                  </td>
                  <td>
                    {r.payeePartyId ?? '—'}
                    {r.payeePartyIdType && <div className="small muted">{r.payeePartyIdType}</div>}
                  </td>
                  <td className="num">{r.amount === null ? 'invalid' : `${r.amount} ${r.currency ?? ''}`}</td>
                  <td>{humanize(r.statusDetail)}</td>
                  <td>
                    {r.reasonCode && <code>{r.reasonCode}</code>} {r.errorInformation ?? ''}
                  </td>
                </tr>
              ))}
            </DataTable>
            <div className="pager">
              <button type="button" className="btn" disabled={pageNo === 0} onClick={() => setPageNo((p) => p - 1)}>
                ← Previous
              </button>
              <span>Page {pageNo + 1}</span>
              <button type="button" className="btn" disabled={rows.length < PAGE} onClick={() => setPageNo((p) => p + 1)}>
                Next →
              </button>
            </div>
          </>
        )}
      </Async>
    </Card>
  );
}
