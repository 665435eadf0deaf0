import { formatId, sequencesOf } from './id-format';

describe('formatId', () => {
  const now = new Date('2026-12-04T10:00:00Z');
  const counters = new Map<string, bigint>();
  const next = async (s: string) => {
    const v = (counters.get(s) ?? 0n) + 1n;
    counters.set(s, v);
    return v;
  };

  it('fills city, financial year, month and a zero-padded sequence', async () => {
    expect(
      await formatId('PT/[CITY.CODE]/[fy:yyyy-yy]/[SEQ_EGOV_COMMON]', { tenantId: 'pb.amritsar', now, next }),
    ).toBe('PT/AMRITSAR/2026-27/000001');
    expect(
      await formatId('[cy:MM]/[fy:yyyy-yy]/[SEQ_EGOV_COMMON]', { tenantId: 'pb.amritsar', now, next }),
    ).toBe('12/2026-27/000002');
    expect(await formatId('BILLNO-{module}-[SEQ_B]', { tenantId: 'pb', module: 'WS', now, next })).toBe(
      'BILLNO-WS-000001',
    );
  });

  it('January to March belong to the financial year that began the April before', async () => {
    expect(
      await formatId('[fy:yyyy-yy]', { tenantId: 'pb', now: new Date('2027-03-31T00:00:00Z'), next }),
    ).toBe('2026-27');
    expect(
      await formatId('[fy:yyyy-yy]', { tenantId: 'pb', now: new Date('2027-04-01T00:00:00Z'), next }),
    ).toBe('2027-28');
  });

  it('random digits and the city for transaction numbers; unknown tokens are refused', async () => {
    expect(await formatId('{city}[d{10}]', { tenantId: 'pb.jalandhar', now, next })).toMatch(
      /^jalandhar\d{10}$/,
    );
    await expect(formatId('[nope]', { tenantId: 'pb', now, next })).rejects.toThrow(
      /Unknown ID format token/,
    );
    expect(sequencesOf('A-[SEQ_x_1]-[SEQ_Y]')).toEqual(['X_1', 'Y']);
  });
});

describe('formatId with eGov MDMS formats', () => {
  it('reads per-tenant sequences, [CITY] and dates with separators', async () => {
    const next = async (s: string) => (s === 'WS_BILL_RCPT' ? 7n : 1n);
    const now = new Date('2026-12-04T10:00:00Z');
    expect(
      await formatId('WS/[CITY]/[fy:yyyy-yy]/[SEQ_WS_BILL_RCPT_[TENANT_ID]]', {
        tenantId: 'pb.jalandhar',
        now,
        next,
      }),
    ).toBe('WS/JALANDHAR/2026-27/000007');
    expect(await formatId('PB-[cy:yyyy-MM-dd]-[cy:yyyy_MM_dd]', { tenantId: 'pb', now, next })).toBe(
      'PB-2026-12-04-2026_12_04',
    );
  });
});
