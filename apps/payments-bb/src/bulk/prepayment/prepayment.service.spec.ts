import { AppConfig, AppException, digestOf, ErrorCode, RequestContext } from '@app/platform';
import { CallbacksService } from '@app/callbacks';
import { DataSource } from 'typeorm';
import { BeneficiaryRegistryService } from '../../account-mapper/beneficiary-registry.service';
import { SourceBbResolver } from '../../account-mapper/source-bb.resolver';
import { FspCallError, FspConnector, ValidationRequest } from '../connector/fsp-connector';
import { FspEndpoints } from '../connector/fsp-endpoints';
import { ProgramsService } from '../programs/programs.service';
import { PrepaymentValidationAnswer } from './prepayment-check';
import { PrepaymentValidationRequestDto } from './prepayment.dto';
import { NewPrepaymentValidation, PrepaymentValidationRepository } from './prepayment.repository';
import { PrepaymentValidationService } from './prepayment.service';

/** The service's orchestration with in-memory fakes: chunking per payee FSP, an FSP failing half-way, storing. */
describe('PrepaymentValidationService', () => {
  const ctx = { principal: { tenantId: 't1', participantId: 's1', participantCode: 'SourceBBID11', kind: 'source_bb', scopes: [] }, correlationId: 'c1' } as RequestContext;
  let calls: ValidationRequest[];
  let failOnCall: number | undefined;
  let stored: NewPrepaymentValidation[];
  let scheduled: unknown[];

  const payee = (i: number) => `FID${String(i).padStart(17, '0')}`;

  function service(): PrepaymentValidationService {
    const repo = {
      find: async (_t: string, _s: string, requestId: string) => {
        const row = stored.find((r) => r.requestId === requestId);
        return row && { requestHash: row.requestHash, response: row.response };
      },
      insert: async (_m: unknown, v: NewPrepaymentValidation) => {
        if (stored.some((r) => r.requestId === v.requestId)) return false;
        stored.push(v);
        return true;
      },
      usedInstructionIds: async () => new Set<string>(),
    } as unknown as PrepaymentValidationRepository;
    const connector = {
      validateAccounts: async (_fsp: unknown, req: ValidationRequest) => {
        calls.push(req);
        if (failOnCall !== undefined && calls.length >= failOnCall) throw new FspCallError('unavailable', 'FSP1 answered 503', 503);
        // Every account whose instruction number is divisible by 500 is closed.
        return req.items.filter((i) => Number(i.instructionId.slice(3)) % 500 === 0).map((i) => ({ instructionId: i.instructionId, reason: 'AC04 Account closed' }));
      },
    } as unknown as FspConnector;
    const registry = {
      // Payees 0..1999 at bank A, 2000.. with no institution; payee 7 is unknown.
      lookup: async (_t: string, _s: string, ids: string[]) => ({
        found: ids
          .filter((id) => id !== payee(7))
          .map((id) => ({ functionalId: id, modality: '01', address: `+2557${id.slice(-8)}`, institutionCode: Number(id.slice(3)) < 2000 ? 'BANKA' : null })),
        missing: [],
      }),
    } as unknown as BeneficiaryRegistryService;
    return new PrepaymentValidationService(
      { transaction: (fn: (m: unknown) => unknown) => fn({}) } as unknown as DataSource,
      { env: { BULK_MAX_INSTRUCTIONS: 10_000 } } as AppConfig,
      repo,
      { resolve: async () => ({ id: 's1', code: 'SourceBBID11' }) } as unknown as SourceBbResolver,
      { choose: async () => ({ id: 'p1', code: 'P1', currency: 'TZS', payerFspId: 'f1', payerFspCode: 'FSP1' }) } as unknown as ProgramsService,
      registry,
      { forFsp: async () => ({ fspId: 'f1', fspCode: 'FSP1', baseUrl: 'http://fsp', timeoutMs: 1000, secret: 's' }) } as unknown as FspEndpoints,
      connector,
      {
        assertUrlAllowed: async () => undefined,
        schedule: async (_m: unknown, cb: unknown) => {
          scheduled.push(cb);
          return 'd1';
        },
        dispatch: async () => undefined,
      } as unknown as CallbacksService,
    );
  }

  const request = (n: number): PrepaymentValidationRequestDto => ({
    RequestID: 'RequestID111',
    SourceBBID: 'SourceBBID11',
    BatchID: 'BatchID00001',
    CreditInstructions: Array.from({ length: n }, (_, i) => ({
      InstructionID: `INS${String(i).padStart(13, '0')}`,
      PayeeFunctionalID: payee(i),
      Amount: 10,
      Currency: 'TZS',
    })),
  });

  beforeEach(() => {
    calls = [];
    failOnCall = undefined;
    stored = [];
    scheduled = [];
  });

  it('asks the payer FSP per payee FSP in requests of at most 1000 accounts, and stores the complete answer', async () => {
    const dto = request(3500);
    const answer = await service().validate(ctx, dto, { callbackUrl: 'https://sbb.example.org/cb' });
    expect(calls.map((c) => [c.destination, c.items.length]).sort()).toEqual([
      ['', 1000],
      ['', 500],
      ['BANKA', 1000],
      ['BANKA', 999],
    ]);
    expect(calls.every((c) => c.batchId === 'BatchID00001' && c.tenantId === 't1')).toBe(true);
    expect(calls[0].items[0]).toEqual({ instructionId: 'INS0000000000000', financialAddress: '+255700000000', amount: 1000n, currency: 'TZS' });
    expect(answer.ResponseCode).toBe('00');
    // Unknown payee 7, closed accounts 0, 500, ..., 3000.
    expect(answer.FailedInstructions.map((f) => f.InstructionID.slice(3))).toEqual(
      ['0', '7', '500', '1000', '1500', '2000', '2500', '3000'].map((n) => n.padStart(13, '0')),
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ requestId: 'RequestID111', batchRef: 'BatchID00001', requestHash: digestOf(dto), response: answer });
    expect(scheduled).toEqual([expect.objectContaining({ eventType: 'bulk.prepayment-validation.result', payload: answer, participantId: 's1' })]);
  });

  it('stops at the first failed FSP call, answers 01 with what it found, and stores and sends nothing', async () => {
    failOnCall = 2;
    // 9 requests to make: 2 for BANKA, 7 for ''.
    const answer: PrepaymentValidationAnswer = await service().validate(ctx, request(9000), { callbackUrl: 'https://sbb.example.org/cb' });
    expect(answer.ResponseCode).toBe('01');
    // The calls already under way (FSP_CONCURRENCY) finish; none is started once the failure is seen.
    expect(calls.length).toBeLessThan(9);
    expect(answer.FailedInstructions.map((f) => f.FailureReason.slice(0, 4))).toContain('BE06');
    expect(stored).toHaveLength(0);
    expect(scheduled).toHaveLength(0);
  });

  it('replays a stored answer for the same body and refuses another body', async () => {
    const s = service();
    const first = await s.validate(ctx, request(3), {});
    calls = [];
    expect(await s.validate(ctx, request(3), {})).toEqual(first);
    expect(calls).toHaveLength(0);
    await expect(s.validate(ctx, { ...request(3), BatchID: 'BatchID00002' }, {})).rejects.toMatchObject({ code: ErrorCode.IDEMPOTENCY_KEY_REUSED });
  });

  it('refuses more instructions than BULK_MAX_INSTRUCTIONS', async () => {
    await expect(service().validate(ctx, request(10_001), {})).rejects.toBeInstanceOf(AppException);
  });
});
