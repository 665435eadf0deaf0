import { maskFinancialAddress } from './mask';

describe('maskFinancialAddress', () => {
  it('keeps the prefix and the last four of an IBAN', () => {
    expect(maskFinancialAddress('NL87ABNA4193835510')).toBe('NL87**********5510');
  });

  it('keeps the last two of a short address and hides a very short one', () => {
    expect(maskFinancialAddress('+2557123')).toBe('******23');
    expect(maskFinancialAddress('abcd')).toBe('****');
  });

  it('never returns the address itself', () => {
    for (const a of ['+255712345678', 'alice@bank', '1234567890123456789012345'])
      expect(maskFinancialAddress(a)).not.toContain(a.slice(4, -4) || a);
  });
});
