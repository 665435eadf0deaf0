import { adviceOutcome } from './advice-outcome';

describe('adviceOutcome', () => {
  it('a status in a 2xx answer is final', () => {
    expect(adviceOutcome({ status: 202, body: { responseCode: '00', status: 'ACK' } })).toEqual({
      kind: 'ack',
    });
    expect(adviceOutcome({ status: 200, body: { status: 'RJC', rejectReason: 'Dup' } })).toEqual({
      kind: 'rjc',
      reason: 'Dup',
    });
    expect(adviceOutcome({ status: 200, body: { status: 'RJC', rejectReason: 'nonsense' } })).toEqual({
      kind: 'rjc',
      reason: 'Und',
    });
  });

  it('"00" without a status is taken: the status comes later', () => {
    expect(adviceOutcome({ status: 202, body: { responseCode: '00' } })).toEqual({ kind: 'accepted' });
    expect(adviceOutcome({ status: 202, body: null })).toEqual({ kind: 'accepted' });
  });

  it('another response code in a 2xx is a refusal', () => {
    expect(adviceOutcome({ status: 200, body: { responseCode: '01' } })).toEqual({
      kind: 'rjc',
      reason: 'Und',
    });
  });

  it('5xx, 429 and 408 are retried; other 4xx wait for an operator', () => {
    expect(adviceOutcome({ status: 503, body: null }).kind).toBe('retry');
    expect(adviceOutcome({ status: 429, body: null }).kind).toBe('retry');
    expect(adviceOutcome({ status: 408, body: null }).kind).toBe('retry');
    expect(adviceOutcome({ status: 400, body: { reason: 'bad' } })).toEqual({
      kind: 'failed',
      why: 'HTTP 400: bad',
    });
  });
});
