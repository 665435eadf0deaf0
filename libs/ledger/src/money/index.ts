export { CURRENCY_EXPONENTS, currencyExponent, isCurrency } from './currencies';
export { MAX_MINOR_UNITS, assertSameCurrency, formatAmount, parseAmount } from './amount';
export type { ParseAmountOptions } from './amount';
