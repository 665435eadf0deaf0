/**
 * What a person without the right to see a financial address is shown: enough to recognise it on the
 * phone with the payee (the country or bank prefix and the last four), never enough to pay it.
 */
export function maskFinancialAddress(address: string): string {
  if (address.length <= 4) return '*'.repeat(address.length);
  if (address.length <= 8) return `${'*'.repeat(address.length - 2)}${address.slice(-2)}`;
  return `${address.slice(0, 4)}${'*'.repeat(address.length - 8)}${address.slice(-4)}`;
}
