/**
 * An instruction's life inside the server. `invalid` and `unresolved` are decided before money is reserved;
 * `completed`, `failed` and `cancelled` after. Only `ready` and later states have a share of the reservation.
 */
export const INSTRUCTION_STATES = [
  'received',
  'invalid',
  'unresolved',
  'ready',
  'queued',
  'submitted',
  'accepted',
  'completed',
  'failed',
  'cancelled',
] as const;
export type InstructionState = (typeof INSTRUCTION_STATES)[number];

export const FINAL_INSTRUCTION_STATES: readonly InstructionState[] = ['invalid', 'unresolved', 'completed', 'failed', 'cancelled'];
/** States in which the payer FSP may still report on an instruction. */
export const OPEN_AT_FSP: readonly InstructionState[] = ['queued', 'submitted', 'accepted'];

/** ISO 20022 ExternalPaymentTransactionStatus1Code, as reported to source BBs and operators. */
export type IsoStatus = 'PDNG' | 'ACCP' | 'ACSC' | 'RJCT';

export function isoStatusOf(state: InstructionState): IsoStatus {
  switch (state) {
    case 'accepted':
      return 'ACCP';
    case 'completed':
      return 'ACSC';
    case 'invalid':
    case 'unresolved':
    case 'failed':
    case 'cancelled':
      return 'RJCT';
    default:
      return 'PDNG';
  }
}

/** The internal states an ISO status filter stands for (queries filter on the indexed internal state). */
export function statesForIso(status: IsoStatus): InstructionState[] {
  return INSTRUCTION_STATES.filter((s) => isoStatusOf(s) === status);
}

/**
 * ISO 20022 ExternalStatusReason1Code values the server itself assigns. FSPs may send any code of that list;
 * these are only the ones decided here.
 */
export const REASON = {
  /** ElementContentFormallyIncorrect: a field breaks its format rule. */
  FORMAT: 'CH16',
  /** InvalidAmount. */
  AMOUNT: 'AM12',
  /** NotAllowedCurrency: not the program's currency. */
  CURRENCY: 'AM03',
  /** Duplication: instruction ID already used in this batch or an earlier one of the source. */
  DUPLICATE: 'AM05',
  /** UnknownEndCustomer: the payee is not (or no longer) registered in the account mapper. */
  UNKNOWN_PAYEE: 'BE06',
  /** IncorrectAccountNumber: the address given is not valid for its modality. */
  BAD_ACCOUNT: 'AC01',
  /** TransactionForbidden: e.g. a voucher modality, which a credit transfer cannot pay. */
  NOT_SUPPORTED: 'AG01',
  /** RequestedByCustomer: the batch was cancelled. */
  CANCELLED: 'DS02',
  /** NarrativeReason: the payer FSP refused the sub-batch as a whole. */
  FSP_REFUSED: 'NARR',
} as const;
