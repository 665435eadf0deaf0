/**
 * A batch moves forward through these states; waiting states (awaiting_approval, scheduled, awaiting_funds)
 * are left by an operator action, the clock or a top-up. The order is the rank used to never move backwards.
 */
export const BATCH_STATES = [
  'received',
  'validated',
  'resolved',
  'awaiting_approval',
  'approved',
  'scheduled',
  'awaiting_funds',
  'funds_reserved',
  'split',
  'submitted',
  'settling',
  'completed',
  'partially_completed',
  'failed',
  'cancelled',
] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export const TERMINAL_BATCH_STATES: readonly BatchState[] = ['completed', 'partially_completed', 'failed', 'cancelled'];

export const isTerminal = (s: BatchState): boolean => TERMINAL_BATCH_STATES.includes(s);

export const rankOf = (s: BatchState): number => BATCH_STATES.indexOf(s);

/** Before any sub-batch has gone to the payer FSP a batch can still be cancelled and its reservation voided. */
export const CANCELLABLE: readonly BatchState[] = BATCH_STATES.slice(0, rankOf('split'));

/** Where the payment goes, by the payee's GovStack payment modality (spec 7.1.1). */
export type Rail = 'bank' | 'mobile_money' | 'wallet' | 'proxy';

export function railOf(modality: string): Rail | undefined {
  switch (modality) {
    case '00':
      return 'bank';
    case '01':
      return 'mobile_money';
    case '03':
      return 'wallet';
    case '04':
      return 'proxy';
    default:
      return undefined;
  }
}
