import { DataTable, num } from '../../components/DataTable';
import { QuerySelect } from '../../components/Filters';
import { useGet } from '../../hooks';
import { useRoute } from '../../router';
import type { Advice } from '../../types';
import { Async, Card, ErrorBanner, StatusBadge } from '../../ui';
import { dateTime, money } from '../../format';
import { useAdviceResend } from './useAdviceResend';

const ADVICE_STATUSES = ['pending', 'accepted', 'acknowledged', 'rejected', 'failed', 'internal'];

/** The advices (mark-bill-paid) to billers, by state; failed ones can be sent again. */
export function Advices() {
  const route = useRoute();
  const status = route.query.get('status') ?? '';
  const advices = useGet<Advice[]>('/p2g/advices', { status, limit: 500 });
  const { action, canResend, resend: resendAdvice } = useAdviceResend(advices.reload);
  const resend = (a: Advice) =>
    resendAdvice({
      paymentId: a.paymentId,
      billId: a.billId,
      message: (
        <p>
          The biller is told again that bill {a.billId} was paid ({money(a.amount, a.currency)}, reference {a.paymentReference}). No money moves.
        </p>
      ),
    });
  return (
    <Card
      title="Advice queue (mark-bill-paid to billers)"
      actions={
        <>
          <QuerySelect param="status" choices={ADVICE_STATUSES} any="Any status" ariaLabel="Status" testId="filter-advice-status" />
          <button type="button" className="btn btn-small" onClick={advices.reload}>
            Refresh
          </button>
        </>
      }
    >
      <ErrorBanner error={action.error} onClose={action.clear} />
      <Async state={advices} isEmpty={(d) => d.length === 0} empty="No advice in this state.">
        {(list) => (
          <DataTable label="Advices" testId="advices-table" columns={['Bill', num('Amount'), 'Payment', 'Advice', num('Attempts'), 'Next attempt', 'Last answer', '']}>
            {list.map((a) => (
              <tr key={a.paymentId} data-testid={`advice-row-${a.paymentId}`}>
                <td>
                  {a.billId}
                  <div className="small muted">{a.receiptNumber ?? a.paymentReference}</div>
                </td>
                <td className="num">{money(a.amount, a.currency)}</td>
                <td>
                  <StatusBadge status={a.status} />
                </td>
                <td>
                  <StatusBadge status={a.adviceStatus} />
                </td>
                <td className="num">{a.attempts}</td>
                <td>{dateTime(a.nextAttemptAt)}</td>
                <td className="break">
                  {a.lastStatusCode ? `HTTP ${a.lastStatusCode} ` : ''}
                  {a.lastError ?? ''}
                </td>
                <td>
                  {canResend(a.adviceStatus) && (
                    <button type="button" className="btn btn-small" disabled={action.busy} onClick={() => void resend(a)} data-testid="resend-button">
                      Re-send
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Async>
    </Card>
  );
}
