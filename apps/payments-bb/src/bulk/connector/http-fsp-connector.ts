import { Injectable } from '@nestjs/common';
import { signCallback, SIGNATURE_HEADER } from '@app/callbacks';
import { formatAmount } from '@app/ledger/money';
import {
  AuthorizationAnswer,
  AuthorizationRequest,
  CreditTransferRequest,
  CreditTransferResult,
  FailedLookup,
  FspCallError,
  FspConnector,
  FspEndpoint,
  FspStatus,
  InstructionStatusReport,
  SubBatchRequest,
  ValidationRequest,
} from './fsp-connector';

const STATUSES: readonly FspStatus[] = ['PDNG', 'ACCP', 'ACSC', 'RJCT'];
/** An FSP's error text is shown to operators; keep it short and free of anything but printable text. */
const clip = (s: unknown, n = 200) =>
  String(s ?? '')
    .replace(/[^\x20-\x7e]/g, ' ')
    .slice(0, n);

/** The connector contract of docs/fsp-connector.md over HTTP with Node's fetch. Responses are checked, not trusted. */
@Injectable()
export class HttpFspConnector extends FspConnector {
  async authorize(fsp: FspEndpoint, req: AuthorizationRequest): Promise<AuthorizationAnswer> {
    const body = {
      batchID: req.batchId,
      payerIdentifier: req.payerIdentifier,
      currency: req.currency,
      amount: formatAmount(req.amount, req.currency),
    };
    const res = await this.call(
      fsp,
      'POST',
      `/batches/${encodeURIComponent(req.batchId)}?command=authorize`,
      body,
    );
    if (res.status === 202) return { status: 'pending' };
    const answer = res.json as { status?: unknown; reason?: unknown };
    if (answer?.status === 'Y') return { status: 'Y' };
    if (answer?.status === 'N')
      return { status: 'N', reason: clip(answer.reason) || 'refused by the payer FSP' };
    throw new FspCallError('unavailable', 'Authorization answer has no status Y or N');
  }

  async validateAccounts(fsp: FspEndpoint, req: ValidationRequest): Promise<FailedLookup[]> {
    const body = {
      batchId: req.batchId,
      destinationDFSPID: req.destination,
      creditInstructions: req.items.map((i) => ({
        instructionID: i.instructionId,
        financialAddress: i.financialAddress,
        ...(i.amount !== undefined && i.currency
          ? { amount: formatAmount(i.amount, i.currency), currency: i.currency }
          : {}),
      })),
    };
    const res = await this.call(fsp, 'POST', '/beneficiaries?command=validate', body, {
      'X-Registering-Institution-ID': req.tenantId,
    });
    const failed = (res.json as { failedAccountLookups?: unknown })?.failedAccountLookups;
    // A 202 ("answer follows by callback") or an answer without the list is not "every account is valid".
    if (res.status !== 200 || !Array.isArray(failed))
      throw new FspCallError(
        'unavailable',
        `${fsp.fspCode} gave no validation result (HTTP ${res.status}, failedAccountLookups missing or not a list)`,
      );
    return (failed as { instructionID?: unknown; failureReason?: unknown }[])
      .filter((f) => typeof f?.instructionID === 'string')
      .map((f) => ({
        instructionId: f.instructionID as string,
        reason: clip(f.failureReason, 100) || 'Account validation failed',
      }));
  }

  async submitSubBatch(fsp: FspEndpoint, req: SubBatchRequest): Promise<void> {
    const body = {
      subBatchId: req.subBatchId,
      batchId: req.batchId,
      payerIdentifier: req.payerIdentifier,
      destinationDFSPID: req.destination,
      rail: req.rail,
      currency: req.currency,
      totalAmount: formatAmount(req.totalAmount, req.currency),
      statusPushUrl: req.statusPushUrl,
      instructions: req.instructions.map((i) => ({
        instructionId: i.instructionId,
        amount: formatAmount(i.amount, i.currency),
        currency: i.currency,
        financialAddress: i.financialAddress,
        paymentModality: i.modality,
        ...(i.narration ? { narration: i.narration } : {}),
      })),
    };
    await this.call(fsp, 'POST', '/sub-batches', body);
  }

  async querySubBatch(fsp: FspEndpoint, subBatchId: string): Promise<InstructionStatusReport[] | undefined> {
    const res = await this.call(
      fsp,
      'GET',
      `/sub-batches/${encodeURIComponent(subBatchId)}`,
      undefined,
      {},
      [404],
    );
    if (res.status === 404) return undefined;
    return parseStatusReports((res.json as { instructions?: unknown })?.instructions);
  }

  async creditTransfer(fsp: FspEndpoint, req: CreditTransferRequest): Promise<CreditTransferResult> {
    const res = await this.call(fsp, 'POST', '/transfers', {
      transferId: req.transferId,
      payerIdentifier: req.payerIdentifier,
      payee: { name: req.payeeName, financialAddress: req.financialAddress },
      amount: formatAmount(req.amount, req.currency),
      currency: req.currency,
      ...(req.narration ? { narration: req.narration } : {}),
    });
    return transferResult(fsp, res.json);
  }

  async queryTransfer(fsp: FspEndpoint, transferId: string): Promise<CreditTransferResult | undefined> {
    const res = await this.call(
      fsp,
      'GET',
      `/transfers/${encodeURIComponent(transferId)}`,
      undefined,
      {},
      [404],
    );
    if (res.status === 404) return undefined;
    return transferResult(fsp, res.json);
  }

  /**
   * One request. 2xx (and any status in `accept`) is returned; 400/409/422 are the FSP's refusal; everything
   * else, including timeouts and refused connections, is "unavailable" and will be retried.
   */
  private async call(
    fsp: FspEndpoint,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
    accept: number[] = [],
  ): Promise<{ status: number; json: unknown }> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-Client-Correlation-ID': fsp.correlationId ?? '',
      [SIGNATURE_HEADER]: signCallback(fsp.secret, Math.floor(Date.now() / 1000), text),
      ...extraHeaders,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(new URL(path.replace(/^\//, ''), withSlash(fsp.baseUrl)), {
        method,
        headers,
        body: body === undefined ? undefined : text,
        redirect: 'manual',
        signal: AbortSignal.timeout(fsp.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      throw new FspCallError(
        'unavailable',
        `${fsp.fspCode} unreachable: ${e.name === 'TimeoutError' ? `no answer within ${fsp.timeoutMs} ms` : clip(e.cause ?? e.message)}`,
      );
    }
    const raw = await res.text().catch(() => '');
    const json = parseJson(raw);
    if ((res.status >= 200 && res.status < 300) || accept.includes(res.status))
      return { status: res.status, json };
    const why = clip(
      (json as { error?: unknown; message?: unknown })?.error ??
        (json as { message?: unknown })?.message ??
        raw,
      200,
    );
    const kind = [400, 409, 422].includes(res.status) ? 'refused' : 'unavailable';
    throw new FspCallError(kind, `${fsp.fspCode} answered ${res.status}${why ? `: ${why}` : ''}`, res.status);
  }
}

/** A transfer's answer; a garbled one leaves the outcome unknown. */
function transferResult(fsp: FspEndpoint, json: unknown): CreditTransferResult {
  const b = (json ?? {}) as {
    status?: unknown;
    fspReference?: unknown;
    reasonCode?: unknown;
    reason?: unknown;
  };
  if (b.status === 'ACSC') return { status: 'completed', fspReference: clip(b.fspReference ?? '', 64) };
  if (b.status === 'RJCT')
    return {
      status: 'rejected',
      reasonCode: clip(b.reasonCode ?? 'NARR', 4) || 'NARR',
      reason: clip(b.reason ?? 'Rejected by the payer FSP', 200),
    };
  if (b.status === 'PDNG' || b.status === 'ACCP') return { status: 'pending' };
  throw new FspCallError('unavailable', `${fsp.fspCode} gave a transfer answer without a known status`);
}

/** Status reports from a push or a query; anything malformed is dropped rather than guessed at. */
export function parseStatusReports(list: unknown): InstructionStatusReport[] {
  if (!Array.isArray(list)) return [];
  const out: InstructionStatusReport[] = [];
  for (const item of list as Record<string, unknown>[]) {
    if (!item || typeof item.instructionId !== 'string' || !STATUSES.includes(item.status as FspStatus))
      continue;
    out.push({
      instructionId: item.instructionId,
      status: item.status as FspStatus,
      ...(typeof item.reasonCode === 'string' ? { reasonCode: clip(item.reasonCode, 4) } : {}),
      ...(item.reason !== undefined ? { reason: clip(item.reason, 200) } : {}),
      ...(typeof item.fspReference === 'string' ? { fspReference: clip(item.fspReference, 64) } : {}),
    });
  }
  return out;
}

function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}

function parseJson(raw: string): unknown {
  try {
    return raw ? (JSON.parse(raw) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
