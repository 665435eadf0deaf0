import { qs } from '../../api';
import { DataTable, num } from '../../components/DataTable';
import { Field } from '../../components/Field';
import { useGet } from '../../hooks';
import { setQuery, useRoute } from '../../router';
import type { P2gReconciliation, SettlementReport } from '../../types';
import { Async, Banner, Card, GenericTable } from '../../ui';
import { money } from '../../format';

/** The settlement and the reconciliation of the bill payments of one day. */
export function SettlementReports() {
  const route = useRoute();
  const today = new Date().toISOString().slice(0, 10);
  const date = route.query.get('date') ?? today;
  const settlement = useGet<SettlementReport>('/p2g/reports/settlement', { date });
  const recon = useGet<P2gReconciliation>('/p2g/reports/reconciliation', { date });
  return (
    <>
      <div className="filters">
        <Field label="Day (UTC)" inline>
          <input type="date" value={date} max={today} onChange={(e) => setQuery(route, { date: e.target.value })} data-testid="report-date" />
        </Field>
        <a className="btn" href={`/p2g/reports/settlement${qs({ date, format: 'csv' })}`} download data-testid="settlement-report-link">
          Download settlement CSV
        </a>
        <a className="btn" href={`/p2g/reports/settlement${qs({ date, format: 'csv', detail: 'true' })}`} download>
          Download every payment (CSV)
        </a>
      </div>
      <Card title={`Settlement on ${date}`}>
        <Async state={settlement} isEmpty={(d) => d.rows.length === 0} empty="No bill payment on this day.">
          {(d) => (
            <DataTable label="Settlement" columns={['Biller', 'Payer FI', 'Settlement account', num('Payments'), num('Amount'), num('Awaiting biller'), num('Rejected')]}>
              {d.rows.map((r) => (
                <tr key={`${r.billerId}-${r.payerFi}-${r.currency}`}>
                  <td>
                    {r.billerName}
                    <div className="small muted">{r.billerId}</div>
                  </td>
                  <td>{r.payerFi}</td>
                  <td>
                    {r.settlementBankCode} {r.settlementAccount}
                  </td>
                  <td className="num">{r.payments}</td>
                  <td className="num">{money(r.amountDecimal, r.currency)}</td>
                  <td className="num">{r.awaitingBiller}</td>
                  <td className="num">{r.rejected}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </Async>
      </Card>
      <Card title={`Reconciliation of ${date}`}>
        <Async state={recon}>
          {(r) => (
            <div data-testid="p2g-reconciliation">
              {r.balanced ? (
                <Banner kind="ok">All {r.paymentsChecked.toLocaleString()} payments of the day match their ledger postings.</Banner>
              ) : (
                <Banner kind="error">
                  {r.issues.length} of {r.paymentsChecked.toLocaleString()} payments do not match their ledger postings.
                </Banner>
              )}
              {r.issues.length > 0 && <GenericTable rows={r.issues} label="Reconciliation issues" />}
            </div>
          )}
        </Async>
      </Card>
    </>
  );
}
