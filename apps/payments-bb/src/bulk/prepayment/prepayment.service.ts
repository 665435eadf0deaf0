import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { AppConfig, AppException, digestOf, ErrorCode, RequestContext } from '@app/platform';
import { BeneficiaryRegistryService } from '../../account-mapper/beneficiary-registry.service';
import { SourceBbResolver } from '../../account-mapper/source-bb.resolver';
import { Participant } from '../../participants/participant';
import { FspCallError, FspConnector, FspEndpoint } from '../connector/fsp-connector';
import { FspEndpoints } from '../connector/fsp-endpoints';
import { Program } from '../programs/program';
import { ProgramsService } from '../programs/programs.service';
import {
  AccountToCheck,
  buildAnswer,
  chunksOf,
  excludeUsedIds,
  firstCurrency,
  fspFailureReason,
  PrepaymentCandidate,
  PrepaymentFailure,
  PrepaymentValidationAnswer,
  ResolvedPayee,
  resolvePayees,
  screenInstructions,
  VALIDATION_CHUNK,
} from './prepayment-check';
import { PrepaymentValidationRequestDto } from './prepayment.dto';
import { PrepaymentValidationRepository, StoredPrepaymentValidation } from './prepayment.repository';

export interface PrepaymentHeaders {
  programId?: string;
  callbackUrl?: string;
}

export const PREPAYMENT_CALLBACK_EVENT = 'bulk.prepayment-validation.result';

/** Functional IDs per account-mapper lookup (each decrypts its addresses in memory). */
const LOOKUP_CHUNK = 10_000;
/** Bulk_ValidateAccount requests to the payer FSP at once. */
const FSP_CONCURRENCY = 4;

/**
 * GovStack v1 pre-payment validation (spec 9.1.2): debulk, check each instruction's fields and payee in the
 * account mapper, ask the program's payer FSP to validate the accounts per payee FSP (Bulk_ValidateAccount), and
 * answer with the failed instructions. Synchronous, read-only towards money and the mapper. A complete answer is
 * stored per (source BB, RequestID): a repeat with the same body gets it again, with another body a 409.
 */
@Injectable()
export class PrepaymentValidationService {
  private readonly logger = new Logger(PrepaymentValidationService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly repo: PrepaymentValidationRepository,
    private readonly sources: SourceBbResolver,
    private readonly programs: ProgramsService,
    private readonly registry: BeneficiaryRegistryService,
    private readonly endpoints: FspEndpoints,
    private readonly connector: FspConnector,
    private readonly callbacks: CallbacksService,
  ) {}

  async validate(ctx: RequestContext, dto: PrepaymentValidationRequestDto, h: PrepaymentHeaders): Promise<PrepaymentValidationAnswer> {
    const max = this.config.env.BULK_MAX_INSTRUCTIONS;
    if (!Array.isArray(dto.CreditInstructions) || dto.CreditInstructions.length === 0)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'CreditInstructions must not be empty');
    if (dto.CreditInstructions.length > max)
      throw new AppException(ErrorCode.TOO_MANY_ITEMS, `At most ${max} credit instructions per request`);
    const tenantId = ctx.principal.tenantId;
    const source = await this.sources.resolve(ctx.principal, dto.SourceBBID);
    if (h.callbackUrl) await this.callbacks.assertUrlAllowed(tenantId, source.id, h.callbackUrl);

    const requestHash = digestOf(dto);
    const stored = await this.repo.find(tenantId, source.id, dto.RequestID);
    if (stored) return this.replay(stored, requestHash, dto.RequestID);

    const program = await this.programs.choose(tenantId, source.id, h.programId, firstCurrency(dto.CreditInstructions));
    const { failures, complete } = await this.check(ctx, source, program, dto);
    const answer = buildAnswer(dto, dto.CreditInstructions.length, failures, complete);
    // An incomplete answer is not final: nothing is stored or sent, and a retry with the same RequestID checks again.
    if (!complete) return answer;

    const { body, deliveryId } = await this.ds.transaction(async (m) => {
      const inserted = await this.repo.insert(m, {
        tenantId,
        sourceBbId: source.id,
        requestId: dto.RequestID,
        batchRef: dto.BatchID,
        requestHash,
        response: answer,
      });
      if (!inserted) {
        // A concurrent request with this RequestID stored its answer first: that one is the answer.
        const winner = await this.repo.find(tenantId, source.id, dto.RequestID, m);
        return { body: this.replay(winner!, requestHash, dto.RequestID), deliveryId: null };
      }
      const id = h.callbackUrl
        ? await this.callbacks.schedule(m, {
            tenantId,
            participantId: source.id,
            url: h.callbackUrl,
            eventType: PREPAYMENT_CALLBACK_EVENT,
            payload: answer,
            correlationId: ctx.correlationId,
          })
        : null;
      return { body: answer, deliveryId: id };
    });
    if (deliveryId) await this.callbacks.dispatch([deliveryId]);
    return body;
  }

  /** The stored final answer ("also retrievable"); a source BB reads only its own. */
  async get(ctx: RequestContext, requestId: string, sourceCode: string | undefined): Promise<PrepaymentValidationAnswer> {
    const code = sourceCode ?? (ctx.principal.kind === 'source_bb' ? ctx.principal.participantCode : undefined);
    if (!code) throw new AppException(ErrorCode.VALIDATION_FAILED, 'SourceBBID is required');
    const source = await this.sources.resolve(ctx.principal, code);
    const stored = await this.repo.find(ctx.principal.tenantId, source.id, requestId);
    if (!stored) throw new AppException(ErrorCode.NOT_FOUND, `No completed pre-payment validation '${requestId}' for source BB '${code}'`);
    return stored.response;
  }

  private replay(stored: StoredPrepaymentValidation, requestHash: string, requestId: string): PrepaymentValidationAnswer {
    if (stored.requestHash !== requestHash)
      throw new AppException(ErrorCode.IDEMPOTENCY_KEY_REUSED, `RequestID '${requestId}' was already used with a different request body`);
    return stored.response;
  }

  /** Every failure found, and whether the payer FSP could be asked about every account that got that far. */
  private async check(
    ctx: RequestContext,
    source: Participant,
    program: Program,
    dto: PrepaymentValidationRequestDto,
  ): Promise<{ failures: PrepaymentFailure[]; complete: boolean }> {
    const tenantId = ctx.principal.tenantId;
    const screened = screenInstructions(dto.CreditInstructions, { programCurrency: program.currency, exactIdLength: 16 });
    const used = await this.repo.usedInstructionIds(tenantId, source.id, screened.candidates.map((c) => c.instructionId));
    const fresh = excludeUsedIds(screened.candidates, used);
    const payees = await this.lookupPayees(tenantId, source.id, fresh.remaining);
    const resolved = resolvePayees(fresh.remaining, payees);
    const failures = [...screened.failures, ...fresh.failures, ...resolved.failures];
    if (resolved.byDestination.size === 0) return { failures, complete: true };

    let fsp: FspEndpoint;
    try {
      fsp = await this.endpoints.forFsp(tenantId, program.payerFspId, ctx.correlationId);
    } catch (err) {
      return { failures, complete: this.unavailable(err, program) };
    }
    const requests = [...resolved.byDestination.values()].flatMap((group) => chunksOf(group, VALIDATION_CHUNK));
    const atFsp = await this.askPayerFsp(fsp, tenantId, dto.BatchID, requests, program);
    return { failures: [...failures, ...atFsp.failures], complete: atFsp.complete };
  }

  private async lookupPayees(tenantId: string, sourceBbId: string, candidates: PrepaymentCandidate[]): Promise<Map<string, ResolvedPayee>> {
    const ids = [...new Set(candidates.map((c) => c.functionalId))];
    const payees = new Map<string, ResolvedPayee>();
    for (const chunk of chunksOf(ids, LOOKUP_CHUNK)) {
      const { found } = await this.registry.lookup(tenantId, sourceBbId, chunk);
      for (const f of found) payees.set(f.functionalId, f);
    }
    return payees;
  }

  /**
   * Bulk_ValidateAccount per payee FSP, at most VALIDATION_CHUNK accounts per request and FSP_CONCURRENCY requests
   * at a time. The first failed call stops further calls: the answer is then incomplete.
   */
  private async askPayerFsp(
    fsp: FspEndpoint,
    tenantId: string,
    batchId: string,
    requests: AccountToCheck[][],
    program: Program,
  ): Promise<{ failures: PrepaymentFailure[]; complete: boolean }> {
    const failures: PrepaymentFailure[] = [];
    let next = 0;
    let complete = true;
    const worker = async () => {
      while (complete && next < requests.length) {
        const chunk = requests[next++];
        let failed;
        try {
          failed = await this.connector.validateAccounts(fsp, {
            batchId,
            destination: chunk[0].destination,
            tenantId,
            items: chunk.map((a) => ({ instructionId: a.instructionId, financialAddress: a.financialAddress, amount: a.amount, currency: a.currency })),
          });
        } catch (err) {
          // Logged once per request, however many calls were under way.
          if (complete) complete = this.unavailable(err, program);
          else if (!(err instanceof FspCallError)) throw err;
          return;
        }
        const byId = new Map(chunk.map((a) => [a.instructionId, a]));
        for (const f of failed) {
          const a = byId.get(f.instructionId);
          if (!a) continue; // not one we asked about, or reported twice
          byId.delete(f.instructionId);
          failures.push({ index: a.index, instructionId: a.instructionId, functionalId: a.functionalId, reason: fspFailureReason(f.reason) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(FSP_CONCURRENCY, requests.length) }, worker));
    return { failures, complete };
  }

  /** An FSP call that failed makes the answer incomplete (returns false); anything but an FspCallError is a bug. */
  private unavailable(err: unknown, program: Program): false {
    if (!(err instanceof FspCallError)) throw err;
    // Only the status when the FSP answered: its error text is its own and might quote an address.
    const why = err.httpStatus ? `${program.payerFspCode} answered ${err.httpStatus} (${err.kind})` : err.message;
    this.logger.warn(`Pre-payment validation through ${program.payerFspCode} for program ${program.code} is incomplete: ${why}`);
    return false;
  }
}
