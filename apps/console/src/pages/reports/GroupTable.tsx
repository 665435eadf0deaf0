import type { ReactNode } from 'react';
import { RateBar } from '../../charts';
import { DataTable, num } from '../../components/DataTable';
import type { ReportGroup } from '../../types';
import { Empty } from '../../ui';
import { money } from '../../format';
import { count, FAILED_STATES, OPEN_STATES, rateOf, totalsByCurrency } from './instructions';

/** Instructions per programme or per payer FSP, with a total per currency. */
export function GroupTable<G extends ReportGroup>({
  testId,
  label,
  firstColumn,
  groups,
  codeOf,
  rowTestPrefix,
  head,
}: {
  testId: string;
  label: string;
  firstColumn: string;
  groups: G[];
  /** The programme or payer FSP code of a group. */
  codeOf: (g: G) => string;
  /** The data-testid of a row is this prefix and the code. */
  rowTestPrefix: string;
  /** The content of the first cell. */
  head: (g: G) => ReactNode;
}) {
  const totals = totalsByCurrency(groups);
  if (!groups.length)
    return (
      <div data-testid={testId}>
        <Empty>No instruction in this period.</Empty>
      </div>
    );
  return (
    <DataTable
      label={label}
      testId={testId}
      columns={[firstColumn, num('Instructions'), num('Amount'), num('Paid'), num('Paid amount'), num('Failed'), num('In progress'), 'Success rate']}
      foot={
        (groups.length > 1 || totals.length > 1) &&
        totals.map((t) => (
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
        ))
      }
    >
      {groups.map((g) => {
        const failed = count(g, FAILED_STATES);
        const cancelled = count(g, ['cancelled']);
        return (
          <tr key={`${codeOf(g)}-${g.currency}`} data-testid={`${rowTestPrefix}${codeOf(g)}`}>
            <td>{head(g)}</td>
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
    </DataTable>
  );
}
