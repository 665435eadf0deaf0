/** GovStack payment modality codes (spec 7.1.1). */
export const PAYMENT_MODALITIES = {
  '00': 'bank account',
  '01': 'mobile money',
  '02': 'voucher',
  '03': 'digital wallet',
  '04': 'proxy',
} as const;

export type PaymentModality = keyof typeof PAYMENT_MODALITIES;

export function isPaymentModality(code: string): code is PaymentModality {
  return Object.prototype.hasOwnProperty.call(PAYMENT_MODALITIES, code);
}
