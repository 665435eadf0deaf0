import { AppException, Principal } from '@app/platform';
import { Batch, BatchOutcome } from '../pipeline/batch';
import { batchResultBody } from '../pipeline/batch-callback';
import {
  BatchContext,
  countsByIso,
  detailItem,
  errorInformationOf,
  InstructionRow,
  instructionStatus,
  isUuid,
  listItem,
  parseDirection,
  parseIntParam,
  parseListFilter,
  parseListPaging,
  parsePaging,
  parseStatusFilter,
  payeePartyIdTypeOf,
  summaryView,
  visibilityOf,
} from './batch-views';

const principal = (
  kind: Principal['kind'],
  participantId: string | null = 'a0000000-0000-4000-8000-000000000001',
): Principal => ({
  tenantId: 't1',
  participantId,
  participantCode: 'X',
  kind,
  scopes: ['bulk:read'],
});

const batch = (over: Partial<Batch> = {}): Batch => ({
  id: 'b0000000-0000-4000-8000-000000000001',
  tenantId: 't1',
  sourceBbId: 'a0000000-0000-4000-8000-000000000001',
  programId: 'p0',
  origin: 'v1',
  requestKey: 'batch:B1',
  requestHash: 'h',
  requestId: 'R1',
  externalBatchId: 'B1',
  retryOf: null,
  callbackUrl: null,
  currency: 'TZS',
  state: 'partially_completed',
  stateReason: '1 of 3 instructions failed',
  instructionCount: 3,
  readyCount: 2,
  readyAmount: 3000n,
  reservationId: null,
  reservedAmount: 0n,
  postedAmount: 1000n,
  releasedAmount: 2000n,
  executeAt: null,
  nextAttemptAt: null,
  attempts: 0,
  makerId: 'maker',
  makerKind: 'source_bb',
  approvedBy: 'op',
  approvedAt: new Date('2025-01-01T10:00:00Z'),
  correlationId: null,
  finalDeliveryId: null,
  createdAt: new Date('2025-01-01T09:00:00Z'),
  updatedAt: new Date('2025-01-01T11:00:00Z'),
  completedAt: new Date('2025-01-01T11:00:00Z'),
  ...over,
});

const ctx = (b = batch()): BatchContext => ({
  batch: b,
  programCode: 'CASH',
  payerFspCode: 'PAYERFSP',
  payerIdentifier: 'TZ-MOF-1',
});

const row = (over: Partial<InstructionRow> = {}): InstructionRow => ({
  seq: 1,
  instruction_id: 'I1',
  payee_functional_id: 'FID1',
  amount: '1050',
  currency: 'TZS',
  modality: '01',
  institution_code: 'MPESA',
  state: 'completed',
  reason_code: null,
  reason: null,
  sub_batch_id: 's0000000-0000-4000-8000-000000000001',
  fsp_reference: 'REF1',
  duplicate_payee: false,
  finished_at: new Date('2025-01-01T10:30:00Z'),
  ...over,
});

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AppException);
    expect((err as AppException).status).toBe(400);
    return (err as AppException).message;
  }
  throw new Error('expected a 400');
};

describe('visibilityOf', () => {
  it('gives operators, information mediators and the sandbox the whole tenant', () => {
    expect(visibilityOf(principal('operator'))).toEqual({ sourceBbId: null });
    expect(visibilityOf(principal('information_mediator'))).toEqual({ sourceBbId: null });
    expect(visibilityOf(principal('sandbox', null))).toEqual({ sourceBbId: null });
  });

  it('restricts a source BB (and any other kind) to its own batches', () => {
    expect(visibilityOf(principal('source_bb'))).toEqual({
      sourceBbId: 'a0000000-0000-4000-8000-000000000001',
    });
    expect(visibilityOf(principal('fsp', 'f0000000-0000-4000-8000-000000000001'))).toEqual({
      sourceBbId: 'f0000000-0000-4000-8000-000000000001',
    });
    expect(visibilityOf(principal('source_bb', null))).toBeUndefined();
  });

  it('tells our UUIDs from client BatchIDs', () => {
    expect(isUuid('B0000000-0000-4000-8000-00000000000A')).toBe(true);
    expect(isUuid('BATCH0000001')).toBe(false);
  });
});

describe('paging', () => {
  it('defaults to page 0 of 100', () => {
    expect(parsePaging()).toEqual({ limit: 100, offset: 0 });
    expect(parsePaging('', '')).toEqual({ limit: 100, offset: 0 });
  });

  it('turns pageNo and pageSize into an offset', () => {
    expect(parsePaging('3', '25')).toEqual({ limit: 25, offset: 75 });
    expect(parsePaging('0', '10000')).toEqual({ limit: 10000, offset: 0 });
  });

  it.each(['0', '10001', '-1', '1.5', '1e3', '0x10', ' 5', '+5', 'ten', '99999999999'])(
    'refuses pageSize %p',
    (v) => {
      expect(message(() => parsePaging('0', v))).toBe('pageSize must be an integer from 1 to 10000');
    },
  );

  it('refuses a negative or non-numeric pageNo', () => {
    expect(message(() => parsePaging('-1'))).toContain('pageNo');
    expect(message(() => parsePaging('1.0'))).toContain('pageNo');
  });

  it('parses list paging within 1-500', () => {
    expect(parseListPaging()).toEqual({ limit: 50, offset: 0 });
    expect(parseListPaging('500', '20')).toEqual({ limit: 500, offset: 20 });
    expect(message(() => parseListPaging('501'))).toContain('limit');
    expect(message(() => parseListPaging('0'))).toContain('limit');
  });

  it('keeps leading zeros decimal', () => {
    expect(parseIntParam('007', 'n', { min: 0, max: 10, fallback: 1 })).toBe(7);
  });
});

describe('parseStatusFilter', () => {
  it('expands ISO codes into internal states', () => {
    expect(parseStatusFilter('RJCT')).toEqual(['invalid', 'unresolved', 'failed', 'cancelled']);
    expect(parseStatusFilter('acsc')).toEqual(['completed']);
    expect(parseStatusFilter('PDNG')).toEqual(['received', 'ready', 'queued', 'submitted']);
  });

  it('takes internal states and lists, deduplicated in state order', () => {
    expect(parseStatusFilter('failed')).toEqual(['failed']);
    expect(parseStatusFilter('completed, ACCP,failed,RJCT')).toEqual([
      'invalid',
      'unresolved',
      'accepted',
      'completed',
      'failed',
      'cancelled',
    ]);
  });

  it('means no filter when absent or blank', () => {
    expect(parseStatusFilter(undefined)).toBeUndefined();
    expect(parseStatusFilter(' ')).toBeUndefined();
  });

  it('refuses anything else, clipping the echo', () => {
    expect(message(() => parseStatusFilter('DONE'))).toMatch(
      /^status 'DONE' is not one of PDNG, ACCP, ACSC, RJCT, received/,
    );
    expect(message(() => parseStatusFilter('ACSC,'))).toContain("status ''");
    expect(message(() => parseStatusFilter('x'.repeat(100)))).toContain(`'${'x'.repeat(32)}…'`);
  });
});

describe('parseDirection and parseListFilter', () => {
  it('accepts OUTGOING and INCOMING only', () => {
    expect(parseDirection(undefined)).toBe('OUTGOING');
    expect(parseDirection('incoming')).toBe('INCOMING');
    expect(message(() => parseDirection('SIDEWAYS'))).toContain('direction');
  });

  it('checks batch states and program codes', () => {
    expect(parseListFilter('Completed', 'CASH-1')).toEqual({ state: 'completed', programCode: 'CASH-1' });
    expect(parseListFilter(undefined, '')).toEqual({ state: null, programCode: null });
    expect(message(() => parseListFilter('done'))).toContain('state');
    expect(message(() => parseListFilter(undefined, "x' OR 1=1"))).toContain('programCode');
  });
});

describe('detail views', () => {
  it('maps an instruction onto BatchDetails.yml', () => {
    expect(detailItem(row(), ctx())).toEqual({
      workflowInstanceKey: 's0000000-0000-4000-8000-000000000001',
      transactionId: 'I1',
      startedAt: '2025-01-01T09:00:00.000Z',
      completedAt: '2025-01-01T10:30:00.000Z',
      status: 'ACSC',
      statusDetail: 'completed',
      payeeDfspId: 'MPESA',
      payeePartyId: 'FID1',
      payeePartyIdType: 'FUNCTIONAL_ID',
      payeeFee: 0,
      payeeFeeCurrency: 'TZS',
      payerDfspId: 'PAYERFSP',
      payerPartyId: 'TZ-MOF-1',
      payerPartyIdType: 'ACCOUNT',
      payerFee: 0,
      payerFeeCurrency: 'TZS',
      amount: 10.5,
      currency: 'TZS',
      direction: 'OUTGOING',
      errorInformation: null,
      batchId: 'b0000000-0000-4000-8000-000000000001',
      reasonCode: null,
      fspReference: 'REF1',
      duplicatePayee: false,
    });
  });

  it('names direct-address payees by modality, never by address', () => {
    const d = detailItem(row({ payee_functional_id: null, modality: '00' }), ctx());
    expect(d.payeePartyId).toBeNull();
    expect(d.payeePartyIdType).toBe('ACCOUNT');
    expect(['00', '01', '02', '03', '04', null].map((m) => payeePartyIdTypeOf(null, m))).toEqual([
      'ACCOUNT',
      'MSISDN',
      'VOUCHER',
      'WALLET',
      'ALIAS',
      null,
    ]);
  });

  it('shows a rejected row with its reason and without an amount', () => {
    const d = detailItem(
      row({
        state: 'invalid',
        amount: null,
        currency: 'XXX',
        reason_code: 'AM03',
        reason: 'Currency is wrong',
        sub_batch_id: null,
      }),
      ctx(),
    );
    expect(d).toMatchObject({
      status: 'RJCT',
      amount: null,
      currency: 'XXX',
      errorInformation: 'AM03 Currency is wrong',
      workflowInstanceKey: null,
    });
    expect(errorInformationOf('BE06', null)).toBe('BE06');
    expect(errorInformationOf(null, null)).toBeNull();
  });

  it('counts the occurrences of a duplicated InstructionID only when there are several', () => {
    expect(instructionStatus(row(), 1, ctx())).not.toHaveProperty('occurrences');
    expect(instructionStatus(row(), 2, ctx()).occurrences).toBe(2);
  });

  it('formats amounts in the currency exponent', () => {
    const jpy = ctx(batch({ currency: 'JPY' }));
    expect(detailItem(row({ amount: '1050', currency: 'JPY' }), jpy).amount).toBe(1050);
    const kwd = ctx(batch({ currency: 'KWD' }));
    expect(detailItem(row({ amount: '1050', currency: 'KWD' }), kwd).amount).toBe(1.05);
  });
});

describe('summaryView', () => {
  const outcome: BatchOutcome = {
    total: 3,
    completed: 1,
    failed: 1,
    ongoing: 1,
    totalAmount: 4001n,
    completedAmount: 1000n,
    failedAmount: 2000n,
    ongoingAmount: 1001n,
    duplicatePayees: 2,
  };
  const subs = { total: 2, pending: 0, submitting: 0, submitted: 1, completed: 1, rejected: 0 };

  it('says what the final callback says, with exact twins', () => {
    const s = summaryView(ctx(), outcome, { completed: 1, failed: 1, accepted: 1 }, subs);
    const cb = batchResultBody(batch(), outcome, [], 10);
    for (const k of [
      'batchId',
      'requestId',
      'externalBatchId',
      'status',
      'TotalTransactions',
      'completed',
      'failed',
      'ongoing',
      'currency',
      'totalAmount',
      'completed_amount',
      'failed_amount',
      'ongoing_amount',
      'result_file',
    ] as const)
      expect(s[k]).toEqual(cb[k]);
    expect(s.totalAmount).toBe(40.01);
    expect(s.amounts).toEqual({
      total: '40.01',
      completed: '10.00',
      failed: '20.00',
      ongoing: '10.01',
      reserved: '0.00',
      posted: '10.00',
      released: '20.00',
    });
    expect(s.byStatus).toEqual({ PDNG: 0, ACCP: 1, ACSC: 1, RJCT: 1 });
    expect(s).toMatchObject({
      programCode: 'CASH',
      statusReason: '1 of 3 instructions failed',
      createdAt: '2025-01-01T09:00:00.000Z',
      approvedAt: '2025-01-01T10:00:00.000Z',
      duplicatePayees: 2,
      subBatches: subs,
      retryOf: null,
      result_file: '/api/v1/batch/report?batchId=b0000000-0000-4000-8000-000000000001',
    });
  });

  it('folds internal states into ISO counts', () => {
    expect(
      countsByIso({
        received: 1,
        ready: 2,
        queued: 3,
        submitted: 4,
        accepted: 5,
        completed: 6,
        invalid: 7,
        unresolved: 8,
        failed: 9,
        cancelled: 10,
      }),
    ).toEqual({
      PDNG: 10,
      ACCP: 5,
      ACSC: 6,
      RJCT: 34,
    });
  });

  it('lists a batch with its ready amount as a decimal string', () => {
    expect(
      listItem({
        id: 'b1',
        external_batch_id: null,
        source_bb_id: 's1',
        program_code: 'CASH',
        state: 'submitted',
        state_reason: null,
        instruction_count: 2,
        currency: 'TZS',
        ready_amount: '123456789012345678',
        created_at: new Date('2025-01-01T00:00:00Z'),
        completed_at: null,
      }),
    ).toEqual({
      batchId: 'b1',
      externalBatchId: null,
      sourceBbId: 's1',
      programCode: 'CASH',
      status: 'submitted',
      statusReason: null,
      instructionCount: 2,
      currency: 'TZS',
      readyAmount: '1234567890123456.78',
      createdAt: '2025-01-01T00:00:00.000Z',
      completedAt: null,
    });
  });
});
