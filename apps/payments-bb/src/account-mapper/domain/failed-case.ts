/** A beneficiary the mapper did not register or update, and why. Never carries the financial address. */
export interface FailedCase {
  functionalId: string;
  modality?: string;
  institutionCode?: string;
  reason: string;
}

export interface MapperOutcome {
  /** Rows written (registered or updated). */
  applied: number;
  /** Import only: rows already present with identical data. */
  unchanged: number;
  failedCases: FailedCase[];
}
