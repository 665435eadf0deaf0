import { formatAmount } from '@app/ledger/money';
import { Batch, BatchOutcome } from './batch';

/** GovStack's float fields, from exact minor units (the decimal text is exact; only the JSON type is a number). */
export const asNumber = (minor: bigint, currency: string): number => Number(formatAmount(minor, currency));

export function reportPath(batchId: string): string {
  return `/api/v1/batch/report?batchId=${batchId}`;
}

/**
 * The batch result sent to the source BB: BulkPaymentStatusUpdate.yml's fields, plus the final state and the
 * failed instructions with their ISO 20022 reasons (the spec's totals alone cannot tell a source BB whom to
 * pay again). `result_file` is the CSV report of every instruction.
 */
export function batchResultBody(
  b: Batch,
  o: BatchOutcome,
  failures: { instructionId: string; reasonCode: string; reason: string }[],
  maxFailures: number,
) {
  return {
    requestId: b.requestId,
    batchId: b.id,
    externalBatchId: b.externalBatchId,
    status: b.state,
    TotalTransactions: o.total,
    ongoing: o.ongoing,
    failed: o.failed,
    completed: o.completed,
    currency: b.currency,
    totalAmount: asNumber(o.totalAmount, b.currency),
    completed_amount: asNumber(o.completedAmount, b.currency),
    ongoing_amount: asNumber(o.ongoingAmount, b.currency),
    failed_amount: asNumber(o.failedAmount, b.currency),
    result_file: reportPath(b.id),
    resultGeneratedAt: new Date().toISOString(),
    note: (b.stateReason ?? `Batch ${b.state.replace('_', ' ')}`).slice(0, 200),
    failedInstructions: failures.map((f) => ({ instructionId: f.instructionId, status: 'RJCT', reasonCode: f.reasonCode, reason: f.reason })),
    failedInstructionsTruncated: o.failed > failures.length && failures.length >= maxFailures,
  };
}
