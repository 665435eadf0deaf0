import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Readable } from 'node:stream';
import Busboy from 'busboy';
import { CallbacksService } from '@app/callbacks';
import { parseAmount } from '@app/ledger/money';
import { AppException, digestOf, ErrorCode, RequestContext } from '@app/platform';
import { SourceBbResolver } from '../../account-mapper/source-bb.resolver';
import { Participant } from '../../participants/participant';
import { ProgramsService } from '../programs/programs.service';
import { Program } from '../programs/program';
import { BatchIngestService, IngestResult } from './batch-ingest.service';
import { csvInstructions, CsvFormatError, fromV1, fromV3, hashingStream } from './instruction-sources';

/** The optional headers every batch API reads. */
export interface BatchHeaders {
  programId?: string;
  registeringInstitutionId?: string;
  callbackUrl?: string;
  idempotencyKey?: string;
  correlationId?: string;
  executeAt?: string;
  controlCount?: string;
  controlSum?: string;
}

export interface V1BulkPayment {
  RequestID: string;
  SourceBBID: string;
  BatchID: string;
  CreditInstructions: unknown[];
}

const KEY = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The API side of batch submission: who is submitting for which source BB and program, which request key
 * makes a retry the same batch, and how each format's rows are read. The ingest does the rest.
 */
@Injectable()
export class BatchSubmissionService {
  constructor(
    private readonly sources: SourceBbResolver,
    private readonly programs: ProgramsService,
    private readonly callbacks: CallbacksService,
    private readonly ingest: BatchIngestService,
  ) {}

  async v1(ctx: RequestContext, dto: V1BulkPayment, h: BatchHeaders): Promise<IngestResult> {
    if (!Array.isArray(dto.CreditInstructions) || dto.CreditInstructions.length === 0)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'CreditInstructions must not be empty');
    const source = await this.sources.resolve(ctx.principal, dto.SourceBBID);
    const currency = firstCurrency(dto.CreditInstructions[0], 'Currency');
    const program = await this.programs.choose(ctx.principal.tenantId, source.id, h.programId, currency);
    const hash = digestOf(dto);
    return this.ingest.ingest(
      {
        ...(await this.common(ctx, source, program, h)),
        origin: 'v1',
        requestKey: h.idempotencyKey ? `key:${checkKey(h.idempotencyKey)}` : `batch:${dto.BatchID}`,
        requestId: dto.RequestID,
        externalBatchId: dto.BatchID,
        exactIdLength: 16,
      },
      dto.CreditInstructions.map(fromV1),
      () => hash,
    );
  }

  async v3Json(ctx: RequestContext, body: unknown, h: BatchHeaders): Promise<IngestResult> {
    if (!Array.isArray(body)) throw new AppException(ErrorCode.VALIDATION_FAILED, 'The body must be a JSON array of credit instructions');
    if (body.length === 0) throw new AppException(ErrorCode.VALIDATION_FAILED, 'The batch holds no credit instruction');
    const source = await this.v3Source(ctx, h);
    const program = await this.programs.choose(ctx.principal.tenantId, source.id, h.programId, firstCurrency(body[0], 'currency'));
    const hash = digestOf(body);
    return this.ingest.ingest(
      { ...(await this.common(ctx, source, program, h)), origin: 'v3-json', ...this.v3Key(h) },
      (body as unknown[]).map(fromV3),
      () => hash,
    );
  }

  async v3Csv(ctx: RequestContext, req: Request, h: BatchHeaders): Promise<IngestResult> {
    const source = await this.v3Source(ctx, h);
    const program = await this.programs.choose(ctx.principal.tenantId, source.id, h.programId, undefined);
    const file = await csvBody(req);
    const hashing = hashingStream();
    file.on('error', (err) => hashing.stream.destroy(err));
    const rows = csvInstructions(file.pipe(hashing.stream));
    try {
      return await this.ingest.ingest(
        { ...(await this.common(ctx, source, program, h)), origin: 'v3-csv', ...this.v3Key(h) },
        rows,
        hashing.digest,
      );
    } catch (err) {
      if (err instanceof CsvFormatError) throw new AppException(ErrorCode.VALIDATION_FAILED, err.message);
      throw err;
    } finally {
      req.resume();
    }
  }

  /** v3: the caller acts for the source named by X-Registering-Institution-Id, or for itself. */
  private async v3Source(ctx: RequestContext, h: BatchHeaders): Promise<Participant> {
    const code = h.registeringInstitutionId ?? (ctx.principal.kind === 'source_bb' ? ctx.principal.participantCode : undefined);
    if (!code) throw new AppException(ErrorCode.VALIDATION_FAILED, 'X-Registering-Institution-Id must name the source BB the batch is for');
    return this.sources.resolve(ctx.principal, code);
  }

  private v3Key(h: BatchHeaders) {
    const key = h.idempotencyKey ?? h.correlationId;
    if (!key) throw new AppException(ErrorCode.VALIDATION_FAILED, 'X-CorrelationID is required (it identifies the batch request)');
    return { requestKey: `key:${checkKey(key)}`, requestId: h.correlationId ?? key, externalBatchId: null };
  }

  private async common(ctx: RequestContext, source: Participant, program: Program, h: BatchHeaders) {
    if (h.callbackUrl) await this.callbacks.assertUrlAllowed(ctx.principal.tenantId, source.id, h.callbackUrl);
    return {
      ctx,
      source,
      program,
      callbackUrl: h.callbackUrl ?? null,
      executeAt: parseExecuteAt(h.executeAt),
      controlCount: parseCount(h.controlCount),
      controlSum: h.controlSum === undefined ? undefined : parseAmount(h.controlSum, program.currency, 'X-Control-Sum'),
    };
  }
}

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new AppException(ErrorCode.VALIDATION_FAILED, 'Idempotency-Key / X-CorrelationID must be 1-64 letters, digits or . _ : -');
  return key;
}

function firstCurrency(item: unknown, field: string): string | undefined {
  const c = item && typeof item === 'object' ? (item as Record<string, unknown>)[field] : undefined;
  return typeof c === 'string' ? c.toUpperCase() : undefined;
}

function parseExecuteAt(raw: string | undefined): Date | null {
  if (raw === undefined) return null;
  const at = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(at.getTime()))
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'X-Execute-At must be an ISO 8601 date-time, e.g. 2026-12-01T08:00:00Z');
  return at;
}

function parseCount(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw new AppException(ErrorCode.VALIDATION_FAILED, 'X-Control-Count must be a whole number');
  return Number(raw);
}

/** The uploaded file as a stream: the raw body for text/csv, the first file part for multipart/form-data. */
function csvBody(req: Request): Promise<Readable> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('text/csv') || type.startsWith('application/csv') || type.startsWith('text/plain')) return Promise.resolve(req);
  if (!type.startsWith('multipart/form-data'))
    return Promise.reject(new AppException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'type=csv takes a text/csv body or a multipart/form-data upload'));
  return new Promise((resolve, reject) => {
    let bb: Busboy.Busboy;
    try {
      bb = Busboy({ headers: req.headers, limits: { files: 1, fields: 10 } });
    } catch {
      reject(new AppException(ErrorCode.VALIDATION_FAILED, 'The multipart body is malformed'));
      return;
    }
    let found = false;
    bb.on('file', (_name, stream) => {
      found = true;
      resolve(stream);
    });
    bb.on('error', () => reject(new AppException(ErrorCode.VALIDATION_FAILED, 'The multipart body is malformed')));
    bb.on('close', () => {
      if (!found) reject(new AppException(ErrorCode.VALIDATION_FAILED, 'The multipart upload holds no file'));
    });
    req.pipe(bb);
  });
}
