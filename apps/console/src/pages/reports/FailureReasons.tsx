import { RateBar } from '../../charts';
import { DataTable, num } from '../../components/DataTable';
import type { PaymentsReport } from '../../types';
import { rateOf } from './instructions';

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

/** The most frequent reasons instructions failed, each with its share of the failures. */
export function FailureReasons({
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
    <DataTable label="Top failure reasons" testId="reports-failure-reasons" className="compact" columns={['Reason', num('Instructions'), 'Share of failures']}>
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
    </DataTable>
  );
}
