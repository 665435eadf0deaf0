import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { formatAmount } from '@app/ledger/money';
import { actorOf, AppException, ErrorCode, RequestContext } from '@app/platform';
import { Participant } from '../../participants/participant';
import { CallingBbResolver } from '../domain/calling-bb.resolver';
import { formatSerial, parseSerial } from '../domain/voucher';
import { VoucherSecrets } from '../domain/voucher-secrets';
import { normalizeVoucherNumber } from '../domain/voucher-number';
import { V3_STATUS } from '../domain/voucher-state';
import { PartnerKeysService } from '../keys/partner-keys.service';
import { Outcome, VoucherIssuanceService } from '../lifecycle/voucher-issuance.service';
import { VouchersRepository } from '../lifecycle/vouchers.repository';
import { MerchantsService } from '../merchants/merchants.service';
import { RedemptionService } from '../redemption/redemption.service';

export const MAX_INSTRUCTIONS = 10_000;
type Kind = 'create' | 'activate' | 'cancel';

interface Failed {
  serialNumber?: string;
  instructionID?: string;
  failureReason: string;
}

const bad = (message: string) => new AppException(ErrorCode.VALIDATION_FAILED, message);
const obj = (v: unknown, at: string): Record<string, unknown> => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(`${at} must be an object`);
  return v as Record<string, unknown>;
};
const text = (v: unknown, at: string, max: number, optional = false): string | undefined => {
  if ((v === undefined || v === null) && optional) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw bad(`${at} must be a string of 1-${max} characters`);
  return v;
};
/** The YAMLs spell the same fields RequestID and requestID, VoucherInstructions and voucherInstructions. */
const pick = (b: Record<string, unknown>, ...names: string[]) =>
  names.map((n) => b[n]).find((v) => v !== undefined);

/**
 * The current voucher contract (api-v3 Voucher*.yml): batch create, activate and cancel, each answered at once and
 * confirmed to the caller's callback URL with the cases that failed; redeem; status. A repeated requestID with
 * the same body gets the same answer and no second callback; with another body, 409.
 */
@Injectable()
export class V3VouchersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly bbs: CallingBbResolver,
    private readonly issuance: VoucherIssuanceService,
    private readonly vouchers: VouchersRepository,
    private readonly secrets: VoucherSecrets,
    private readonly keys: PartnerKeysService,
    private readonly callbacks: CallbacksService,
    private readonly merchants: MerchantsService,
    private readonly redemption: RedemptionService,
  ) {}

  async batch(
    ctx: RequestContext,
    kind: Kind,
    raw: unknown,
    callbackUrl: string | undefined,
  ): Promise<{ requestId: string; total: number; failed: Failed[]; replayed: boolean }> {
    const body = obj(raw, 'body');
    const requestId = text(pick(body, 'RequestID', 'requestID', 'requestId'), 'requestID', 64)!;
    const batchId = text(pick(body, 'BatchID', 'batchID', 'batchId'), 'batchID', 64, true) ?? null;
    const list = pick(body, 'VoucherInstructions', 'voucherInstructions');
    if (!Array.isArray(list) || list.length === 0) throw bad('voucherInstructions must be a non-empty array');
    if (list.length > MAX_INSTRUCTIONS)
      throw new AppException(
        ErrorCode.TOO_MANY_ITEMS,
        `At most ${MAX_INSTRUCTIONS} voucher instructions per request`,
      );
    if (callbackUrl !== undefined) text(callbackUrl, 'X-Callback-URL', 500);
    if (kind === 'create' && !callbackUrl)
      throw bad('X-Callback-URL is required: the voucher details are sent there');
    const bb = await this.bbs.self(ctx.principal);
    if (kind === 'create' && !(await this.keys.hasKey(bb.id)))
      throw bad(
        'Voucher numbers are sent encrypted: register an encryption key for this building block first (PUT /voucher-keys/{code})',
      );
    const requestHash = createHash('sha256')
      .update(JSON.stringify([kind, raw, callbackUrl ?? null]))
      .digest('hex');
    const prior = await this.prior(ctx, bb, kind, requestId, requestHash);
    if (prior) return { ...prior, replayed: true };

    const actor = actorOf(ctx.principal);
    let failed: Failed[];
    let payload: unknown;
    if (kind === 'create') {
      const out = await this.create(ctx, bb, list);
      failed = out.failed;
      payload = { requestID: requestId, batchID: batchId, voucherInstructions: out.created };
    } else {
      const serials = list.map((it, i) => parseSerial(obj(it, `voucherInstructions[${i}]`).serialNumber));
      const valid = serials.filter((s): s is bigint => s !== undefined);
      const outcomes: Outcome[] =
        kind === 'activate'
          ? await this.issuance.activate(ctx.principal.tenantId, bb.id, valid, actor, ctx.correlationId)
          : await this.issuance.cancel(ctx.principal.tenantId, bb.id, valid, actor, ctx.correlationId);
      const bySerial = new Map(outcomes.map((o) => [o.serial, o]));
      failed = list.flatMap((it, i): Failed[] => {
        const s = serials[i];
        const given = String((it as { serialNumber?: unknown }).serialNumber ?? '');
        if (s === undefined) return [{ serialNumber: given, failureReason: 'Invalid voucher serial number' }];
        const o = bySerial.get(s);
        return o?.failure ? [{ serialNumber: given, failureReason: o.failure.reason }] : [];
      });
      payload = {
        requestID: requestId,
        registerRequestID: requestId,
        numberFailedCases: failed.length,
        failedCases: failed,
      };
    }
    await this.ds
      .transaction(async (m) => {
        const callbackId = callbackUrl
          ? await this.callbacks.schedule(m, {
              tenantId: ctx.principal.tenantId,
              participantId: bb.id,
              url: callbackUrl,
              eventType: `voucher.${kind}`,
              payload,
              correlationId: ctx.correlationId,
            })
          : null;
        await m.query(
          `INSERT INTO voucher_requests (tenant_id, caller_id, kind, request_id, request_hash, batch_id, total, failed, failed_cases, callback_id)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
          [
            ctx.principal.tenantId,
            bb.id,
            kind,
            requestId,
            requestHash,
            batchId,
            list.length,
            failed.length,
            JSON.stringify(failed),
            callbackId,
          ],
        );
        return callbackId;
      })
      .then((id) => (id ? this.callbacks.dispatch([id]) : undefined));
    return { requestId, total: list.length, failed, replayed: false };
  }

  /** Pre-activates one voucher per instruction; the numbers go to the callback only, each encrypted to the caller's key. */
  private async create(ctx: RequestContext, bb: Participant, list: unknown[]) {
    const created: unknown[] = [];
    const failed: Failed[] = [];
    for (const [i, raw] of list.entries()) {
      const it = obj(raw, `voucherInstructions[${i}]`);
      const instructionID = text(it.instructionID, `voucherInstructions[${i}].instructionID`, 64)!;
      try {
        const { group, minor } = await this.issuance.checkRequest(
          ctx.principal.tenantId,
          it.groupCode,
          it.currency,
          it.amount,
        );
        const payee =
          text(it.payeeFunctionalID, `voucherInstructions[${i}].payeeFunctionalID`, 64, true) ?? null;
        const narration = text(it.narration, `voucherInstructions[${i}].narration`, 200, true) ?? null;
        const [v] = await this.ds.transaction((m) =>
          this.issuance.preactivate(m, group, minor, bb.id, actorOf(ctx.principal), ctx.correlationId, [
            { payee, instructionId: instructionID, narration },
          ]),
        );
        created.push({
          instructionID,
          serialNumber: formatSerial(v.serial),
          voucherNumber: await this.keys.encryptFor(bb.id, this.secrets.open(v.numberEnc!, v.numberKeyId!)),
          currency: v.currency,
          amount: formatAmount(v.amount, v.currency),
          narration,
          expiryDateTime: v.expiresAt.toISOString(),
        });
      } catch (err) {
        if (!(err instanceof AppException) || err.status >= 500) throw err;
        failed.push({ instructionID, failureReason: err.message });
      }
    }
    return { created, failed };
  }

  async redeem(ctx: RequestContext, raw: unknown) {
    const body = obj(raw, 'body');
    const requestId = text(pick(body, 'requestID', 'RequestID', 'requestId'), 'requestID', 64)!;
    const serial = parseSerial(body.voucherSerialNumber);
    if (serial === undefined)
      throw new AppException(ErrorCode.VOUCHER_INVALID_SERIAL, 'Invalid voucher serial number');
    const number = normalizeVoucherNumber(body.voucherSecretNumber);
    if (!number) throw new AppException(ErrorCode.VOUCHER_INVALID_NUMBER, 'Invalid voucher number');
    const merchant = await this.merchants
      .get(ctx.principal.tenantId, text(body.agentID, 'agentID', 40)!)
      .catch(() => {
        throw new AppException(
          ErrorCode.VOUCHER_MERCHANT_NOT_CREDITED,
          `Cannot credit merchant: no merchant or agent '${String(body.agentID)}'`,
        );
      });
    const override = body.override === true;
    if (
      override &&
      !ctx.principal.scopes.includes('*') &&
      !ctx.principal.scopes.includes('vouchers:override')
    )
      throw new AppException(ErrorCode.FORBIDDEN, 'override needs the vouchers:override scope');
    const out = await this.redemption.redeem({
      tenantId: ctx.principal.tenantId,
      callerId: ctx.principal.participantId,
      actor: actorOf(ctx.principal),
      correlationId: ctx.correlationId,
      requestId,
      number,
      serial,
      merchant,
      override,
    });
    return {
      status: out.state === 'completed' ? 1 : 0,
      message: out.state === 'completed' ? 'Redeemed' : 'Pending',
      serialNumber: formatSerial(out.voucher.serial),
      value: formatAmount(out.voucher.amount, out.voucher.currency),
      currency: out.voucher.currency,
      timestamp: (out.redemption.finishedAt ?? out.redemption.createdAt).toISOString(),
      transactionId: out.redemption.id,
    };
  }

  async status(ctx: RequestContext, rawSerial: string) {
    const serial = parseSerial(rawSerial);
    const v = serial === undefined ? undefined : await this.vouchers.bySerial(ctx.principal.tenantId, serial);
    const p = ctx.principal;
    const visible =
      v &&
      (p.scopes.includes('*') ||
        p.kind === 'operator' ||
        p.kind === 'information_mediator' ||
        p.kind === 'sandbox' ||
        v.holderId === p.participantId);
    if (!v || !visible)
      throw new AppException(
        ErrorCode.VOUCHER_INVALID_SERIAL,
        'Invalid voucher serial number',
        undefined,
        400,
      );
    return {
      status: V3_STATUS[v.state],
      state: v.state,
      serialNumber: formatSerial(v.serial),
      value: formatAmount(v.amount, v.currency),
      currency: v.currency,
      expiryDateTime: v.expiresAt.toISOString(),
    };
  }

  private async prior(ctx: RequestContext, bb: Participant, kind: Kind, requestId: string, hash: string) {
    const rows = (await this.ds.query(
      `SELECT request_hash, total, failed_cases FROM voucher_requests WHERE tenant_id = $1 AND caller_id = $2 AND kind = $3 AND request_id = $4`,
      [ctx.principal.tenantId, bb.id, kind, requestId],
    )) as { request_hash: string; total: number; failed_cases: Failed[] }[];
    if (!rows[0]) return undefined;
    if (rows[0].request_hash !== hash)
      throw new AppException(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        `requestID '${requestId}' was already used with a different request`,
      );
    return { requestId, total: rows[0].total, failed: rows[0].failed_cases };
  }
}
