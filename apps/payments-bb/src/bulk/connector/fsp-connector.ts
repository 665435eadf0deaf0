/**
 * What the server needs from a payer FSP (docs/fsp-connector.md). Amounts here are minor units; the HTTP
 * implementation turns them into the contract's decimal strings.
 */
export interface FspEndpoint {
  fspId: string;
  fspCode: string;
  baseUrl: string;
  timeoutMs: number;
  /** HMAC secret the requests are signed with (the FSP participant's callback secret). */
  secret: string;
  correlationId?: string;
}

export type AuthorizationAnswer = { status: 'Y' } | { status: 'N'; reason: string } | { status: 'pending' };

export interface AuthorizationRequest {
  batchId: string;
  payerIdentifier: string;
  currency: string;
  amount: bigint;
}

export interface ValidationItem {
  instructionId: string;
  financialAddress: string;
  amount?: bigint;
  currency?: string;
}

export interface ValidationRequest {
  batchId: string;
  destination: string;
  tenantId: string;
  items: ValidationItem[];
}

export interface FailedLookup {
  instructionId: string;
  reason: string;
}

export interface SubBatchInstruction {
  instructionId: string;
  amount: bigint;
  currency: string;
  financialAddress: string;
  modality: string;
  narration: string | null;
}

export interface SubBatchRequest {
  subBatchId: string;
  batchId: string;
  payerIdentifier: string;
  destination: string;
  rail: string;
  currency: string;
  totalAmount: bigint;
  statusPushUrl: string;
  instructions: SubBatchInstruction[];
}

export type FspStatus = 'PDNG' | 'ACCP' | 'ACSC' | 'RJCT';

export interface InstructionStatusReport {
  instructionId: string;
  status: FspStatus;
  reasonCode?: string;
  reason?: string;
  fspReference?: string;
}

/** Whether a failed call may be repeated: `refused` is the FSP's final word, `unavailable` is not. */
export class FspCallError extends Error {
  constructor(
    readonly kind: 'refused' | 'unavailable',
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** One synchronous credit (a voucher redeemed at a merchant). The FSP treats a repeated transferId as the same transfer. */
export interface CreditTransferRequest {
  transferId: string;
  payerIdentifier: string;
  payeeName: string;
  financialAddress: string;
  /** Minor units. */
  amount: bigint;
  currency: string;
  narration?: string;
}

export type CreditTransferResult =
  | { status: 'completed'; fspReference: string }
  | { status: 'rejected'; reasonCode: string; reason: string }
  | { status: 'pending' };

export abstract class FspConnector {
  abstract authorize(fsp: FspEndpoint, req: AuthorizationRequest): Promise<AuthorizationAnswer>;
  abstract validateAccounts(fsp: FspEndpoint, req: ValidationRequest): Promise<FailedLookup[]>;
  /** Idempotent by subBatchId. Throws FspCallError. */
  abstract submitSubBatch(fsp: FspEndpoint, req: SubBatchRequest): Promise<void>;
  /** `undefined` when the FSP does not know the sub-batch (it must be submitted again). */
  abstract querySubBatch(
    fsp: FspEndpoint,
    subBatchId: string,
  ): Promise<InstructionStatusReport[] | undefined>;
  /** Throws FspCallError: 'unavailable' when the outcome is unknown (ask queryTransfer later), 'refused' on another 4xx. */
  abstract creditTransfer(fsp: FspEndpoint, req: CreditTransferRequest): Promise<CreditTransferResult>;
  /** `undefined` when the FSP has no transfer with that ID. */
  abstract queryTransfer(fsp: FspEndpoint, transferId: string): Promise<CreditTransferResult | undefined>;
}
