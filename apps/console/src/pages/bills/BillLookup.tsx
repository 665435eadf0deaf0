import { seg } from '../../api';
import { DataTable, num } from '../../components/DataTable';
import { LookupForm } from '../../components/Filters';
import { useGet } from '../../hooks';
import { useRoute } from '../../router';
import type { BillLookupAnswer, BillPaymentView } from '../../types';
import { Async, Card, Empty, ErrorBanner, Facts, StatusBadge } from '../../ui';
import { dateTime, money, plural } from '../../format';
import { useAdviceResend } from './useAdviceResend';

/** A `date` column comes as YYYY-MM-DD or as the midnight of that day in ISO form: show the day only. */
function dayOf(v: string | null | undefined): string {
  if (!v) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})(T00:00:00(\.0+)?Z)?$/.exec(v);
  return m ? m[1] : dateTime(v);
}

/** One bill: its running state, its payments (with their advices to the biller) and the inquiries about it. */
export function BillLookup() {
  const route = useRoute();
  const billId = route.query.get('billId') ?? '';
  const bill = useGet<BillLookupAnswer>(billId ? `/p2g/bills/${seg(billId)}` : null);
  const { action, canResend, resend: resendAdvice } = useAdviceResend(bill.reload);

  const resend = (p: BillPaymentView) =>
    resendAdvice({
      paymentId: p.paymentId,
      billId,
      message: (
        <p>
          Biller {p.billerId} is told again that bill {billId} was paid ({money(p.amount, p.currency)}, receipt {p.receiptNo ?? p.transactionId}). No money moves.
        </p>
      ),
    });

  return (
    <Card title="Bill look-up">
      <LookupForm param="billId" label="Bill ID" placeholder="e.g. 1000WATER42" reload={bill.reload} inputTestId="bill-id-input" buttonTestId="bill-lookup-button" />
      <ErrorBanner error={action.error} onClose={action.clear} />
      {billId && (
        <Async state={bill}>
          {(b) => (
            <div data-testid="bill-result">
              <h3>Bill {b.billId}</h3>
              {b.bill ? (
                <div className="bill-summary" data-testid="bill-summary">
                  <Facts
                    items={[
                      ['Status', <StatusBadge key="s" status={b.bill.status} testId="bill-status" />],
                      [
                        'Biller',
                        <span key="b">
                          {b.bill.billerName} <span className="muted small">({b.bill.billerId})</span>
                        </span>,
                      ],
                      ['Amount due', <span key="d" data-testid="bill-amount-due">{money(b.bill.amountDue, b.bill.currency)}</span>],
                      ['Amount paid', <span key="p" data-testid="bill-amount-paid">{money(b.bill.amountPaid, b.bill.currency)}</span>],
                      ['Last change', dateTime(b.bill.updatedAt)],
                    ]}
                  />
                </div>
              ) : (
                <p className="muted" data-testid="bill-summary">
                  No running state is kept for this bill (it was only asked about, or its biller keeps the balance itself).
                </p>
              )}

              <h3>Payments</h3>
              {b.payments.length === 0 ? (
                <Empty>No payment of this bill.</Empty>
              ) : (
                <DataTable
                  label="Payments of the bill"
                  testId="bill-payments-table"
                  columns={['Paid', num('Amount'), 'Payer FI', 'Receipt / transaction', 'Payment', 'Advice to biller', 'Last error', '']}
                >
                  {b.payments.map((p) => (
                    <tr key={p.paymentId} data-testid={`bill-payment-row-${p.paymentId}`}>
                      <td className="nowrap">
                        {dateTime(p.createdAt)}
                        <div className="small muted">{p.channel}</div>
                      </td>
                      <td className="num">{money(p.amount, p.currency)}</td>
                      <td>{p.payerFi}</td>
                      <td className="break">
                        {p.receiptNo ? <code>{p.receiptNo}</code> : '—'}
                        <div className="small muted">
                          {p.transactionId} · request {p.requestId}
                        </div>
                      </td>
                      <td>
                        <StatusBadge status={p.status} />
                        {p.rejectReason && <div className="small muted">{p.rejectReason}</div>}
                      </td>
                      <td>
                        <StatusBadge status={p.adviceStatus} testId="advice-status" />
                        <div className="small muted">
                          {plural(p.adviceAttempts, 'attempt')}
                          {p.adviceDoneAt ? ` · done ${dateTime(p.adviceDoneAt)}` : ''}
                        </div>
                      </td>
                      <td className="break" data-testid="advice-last-error">
                        {p.adviceLastError ?? <span className="muted">—</span>}
                      </td>
                      <td>
                        {canResend(p.adviceStatus) && (
                          <button type="button" className="btn btn-small" disabled={action.busy} onClick={() => void resend(p)} data-testid="resend-button">
                            Re-send advice
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </DataTable>
              )}

              <h3>Inquiries {b.inquiries.length >= 50 && <span className="small muted">(the 50 latest)</span>}</h3>
              {b.inquiries.length === 0 ? (
                <Empty>No inquiry recorded for this bill.</Empty>
              ) : (
                <DataTable
                  label="Inquiries about the bill"
                  testId="bill-inquiries-table"
                  columns={['Asked', 'Payer FI', 'Request', 'Bill status', 'Due date', num('Amount due'), num('After due date')]}
                >
                  {b.inquiries.map((i) => (
                    <tr key={`${i.payerFi}-${i.requestId}`}>
                      <td className="nowrap">{dateTime(i.at)}</td>
                      <td>{i.payerFi}</td>
                      <td className="break">
                        <code>{i.requestId}</code>
                      </td>
                      <td>
                        <StatusBadge status={i.billStatus} />
                      </td>
                      <td>{dayOf(i.dueDate)}</td>
                      <td className="num">{money(i.amountDue, i.currency)}</td>
                      <td className="num">{money(i.amountAfterDue, i.currency)}</td>
                    </tr>
                  ))}
                </DataTable>
              )}
            </div>
          )}
        </Async>
      )}
    </Card>
  );
}
