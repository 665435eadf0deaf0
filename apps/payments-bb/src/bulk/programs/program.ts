/** A disbursement program: who may pay from it, from which ledger account, through which payer FSP. */
export interface Program {
  id: string;
  tenantId: string;
  code: string;
  name: string;
  currency: string;
  fundingAccountId: string;
  settlementAccountId: string;
  payerFspId: string;
  payerFspCode: string;
  payerIdentifier: string;
  /** Empty: every source BB of the tenant may use it. */
  sourceBbIds: string[];
  requiresApproval: boolean;
  subBatchSize: number;
  maxInFlight: number;
  status: 'active' | 'disabled';
  createdAt: Date;
  updatedAt: Date;
}

export interface FspConnectorConfig {
  fspId: string;
  fspCode: string;
  baseUrl: string;
  timeoutMs: number;
  updatedAt: Date;
}
