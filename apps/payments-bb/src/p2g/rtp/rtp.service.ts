import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import {
  actorOf,
  AppConfig,
  AppException,
  AuditService,
  digestOf,
  ErrorCode,
  Principal,
  RequestContext,
} from '@app/platform';
import { BeneficiariesRepository } from '../../account-mapper/beneficiaries.repository';
import { Biller, BillerEndpoint } from '../billers/biller';
import { BillersRepository } from '../billers/billers.repository';
import { jsonAmount, toMinor } from '../minor-units';
import { P2G_SYSTEM } from '../p2g.constants';
import { PayerFi } from '../payer-fis/payer-fis.repository';
import { PayerFisService } from '../payer-fis/payer-fis.service';
import { BillPayment } from '../payments/bill-payment';
import { Rtp } from './rtp';
import { BillerRtpRequestDto, PayerRtpResponseDto } from './rtp.dto';
import { RtpRepository } from './rtp.repository';

const BATCH = 1000;

/**
 * Request to pay (spec 9.3.5): a biller asks for a bill to be paid by a payer whose FI it names (type 00) or whom
 * the account mapper finds by alias (type 01); the server sends payerRtpReq to that FI, relays the FI's answer to the
 * biller's callback URL, completes the request when the bill is paid and expires it when nobody pays. Every message
 * out is a recorded, retried callback; every status change is pushed to the biller's /transferRequests/{RTPId}.
 */
@Injectable()
export class RtpService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: RtpRepository,
    private readonly billers: BillersRepository,
    private readonly payerFis: PayerFisService,
    private readonly beneficiaries: BeneficiariesRepository,
    private readonly callbacks: CallbacksService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** The calling biller: a biller's API client, active, and the one X-billerId names. */
  async callingBiller(principal: Principal, named?: string): Promise<Biller> {
    const b = principal.participantId
      ? await this.billers.findByParticipant(principal.tenantId, principal.participantId)
      : named
        ? await this.billers.findByBillerId(principal.tenantId, named)
        : undefined;
    if (!b || b.status !== 'active')
      throw new AppException(
        ErrorCode.P2G_UNKNOWN_BILLER,
        `${named ?? principal.participantCode} is not an active biller`,
      );
    if (named && named !== b.billerId)
      throw new AppException(ErrorCode.FORBIDDEN, `X-billerId ${named} is not the calling biller`);
    return b;
  }

  async request(
    ctx: RequestContext,
    dto: BillerRtpRequestDto,
    callbackUrl: string | undefined,
    namedBiller?: string,
  ): Promise<{ rtp: Rtp; replayed: boolean }> {
    const biller = await this.callingBiller(ctx.principal, namedBiller);
    const tenantId = ctx.principal.tenantId;
    if (!callbackUrl) throw new AppException(ErrorCode.VALIDATION_FAILED, 'X-Callback-URL is required');
    if (biller.participantId)
      await this.callbacks.assertUrlAllowed(tenantId, biller.participantId, callbackUrl);
    if (!dto.billID.startsWith(biller.prefix))
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `Bill ${dto.billID} does not carry this biller's prefix ${biller.prefix}`,
      );
    const bodyHash = digestOf({ ...dto, callbackUrl });
    const seen = await this.repo.byRequestId(tenantId, biller.id, dto.requestId);
    if (seen) return this.replay(seen, bodyHash);
    const currency = dto.billDetails.currency ?? biller.currencies[0];
    if (!biller.currencies.includes(currency))
      throw new AppException(
        ErrorCode.P2G_CURRENCY_MISMATCH,
        `Biller ${biller.billerId} does not bill in ${currency}`,
      );
    const amount = toMinor(dto.billDetails.amount, 'billDetails.amount');
    if (amount <= 0n)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'billDetails.amount must be positive');
    const fi = await this.payerFor(tenantId, dto);

    const done = await this.ds.transaction(async (m) => {
      const rtp = await this.repo.insert(m, {
        tenantId,
        billerPk: biller.id,
        requestId: dto.requestId,
        billerRtpId: dto.rtpId === undefined ? null : String(dto.rtpId),
        bodyHash,
        billId: dto.billID,
        amount,
        currency,
        requestType: dto.requestType,
        aliasType: dto.requestType === '01' ? (dto.alias?.aliasType ?? null) : null,
        payerFiId: fi.participantId,
        callbackUrl,
        ttlHours: this.config.env.P2G_RTP_TTL_HOURS,
      });
      if (!rtp) return undefined;
      const callbackId = await this.callbacks.schedule(m, {
        tenantId,
        participantId: fi.participantId,
        url: `${fi.baseUrl.replace(/\/+$/, '')}/rtpRequest`,
        eventType: 'p2g.rtp.request',
        correlationId: ctx.correlationId,
        payload: {
          TxnID: dto.requestId,
          rTPID: Number(rtp.rtpNo),
          requestId: dto.requestId,
          billerId: biller.billerId,
          ...(dto.payerFiDetails?.financialAddress
            ? { financialAddress: dto.payerFiDetails.financialAddress }
            : {}),
          billDetails: {
            'Bill ID': dto.billID,
            'Biller Name': biller.shortName,
            Amount: jsonAmount(amount),
            Currency: currency,
          },
        },
      });
      await this.record(m, rtp, 'rtp.request', actorOf(ctx.principal), ctx.correlationId);
      return { rtp, callbackId };
    });
    if (!done) {
      const raced = await this.repo.byRequestId(tenantId, biller.id, dto.requestId);
      return this.replay(raced!, bodyHash);
    }
    await this.callbacks.dispatch([done.callbackId]);
    return { rtp: done.rtp, replayed: false };
  }

  /** payerRtpResp: the payer FI's answer, relayed to the biller. A repeat of the same answer is a no-op. */
  async respond(ctx: RequestContext, fi: PayerFi, dto: PayerRtpResponseDto): Promise<Rtp> {
    const tenantId = ctx.principal.tenantId;
    const rejectReason = dto.rtpStatus === '01' ? (dto.rejectReason ?? 'R') : null;
    const done = await this.ds.transaction(async (m) => {
      const rtp = await this.repo.byNo(tenantId, String(dto.rtpId), m, true);
      if (!rtp || rtp.payerFiId !== fi.participantId)
        throw new AppException(
          ErrorCode.P2G_RTP_NOT_FOUND,
          `No request to pay ${dto.rtpId} was sent to this payer FI`,
        );
      if (dto.billId && dto.billId !== rtp.billId)
        throw new AppException(
          ErrorCode.VALIDATION_FAILED,
          `Request to pay ${dto.rtpId} is for bill ${rtp.billId}`,
        );
      if (rtp.payerResponse) {
        if (rtp.payerResponse !== dto.rtpStatus)
          throw new AppException(
            ErrorCode.P2G_STATE_CONFLICT,
            `Request to pay ${dto.rtpId} was already answered ${rtp.payerResponse}`,
          );
        return { rtp, callbackIds: [] as string[] };
      }
      if (rtp.status !== 'PND')
        throw new AppException(ErrorCode.P2G_STATE_CONFLICT, `Request to pay ${dto.rtpId} is ${rtp.status}`);
      const status = dto.rtpStatus === '01' ? 'RJC' : 'PND';
      await this.repo.setPayerResponse(m, rtp.id, dto.rtpStatus, status, rejectReason);
      const updated = { ...rtp, payerResponse: dto.rtpStatus, status, rejectReason } as Rtp;
      const biller = await this.billers.findById(tenantId, rtp.billerPk, m);
      const callbackIds = [
        await this.callbacks.schedule(m, {
          tenantId,
          participantId: biller!.biller.participantId!,
          url: rtp.callbackUrl,
          eventType: 'p2g.rtp.update',
          correlationId: ctx.correlationId,
          payload: {
            requestId: rtp.requestId,
            rtpId: Number(rtp.rtpNo),
            billerRtpId: rtp.billerRtpId,
            billId: rtp.billId,
            rtpStatus: dto.rtpStatus,
            ...(rejectReason ? { rejectReason } : {}),
          },
        }),
      ];
      if (status === 'RJC') callbackIds.push(await this.pushStatus(m, updated, biller!.biller));
      await this.record(m, updated, 'rtp.payer-response', actorOf(ctx.principal), ctx.correlationId);
      return { rtp: updated, callbackIds };
    });
    await this.callbacks.dispatch(done.callbackIds);
    return done.rtp;
  }

  async status(ctx: RequestContext, rtpNo: string, namedBiller?: string): Promise<Rtp> {
    const biller = await this.callingBiller(ctx.principal, namedBiller);
    const rtp = await this.repo.byNo(ctx.principal.tenantId, rtpNo);
    if (!rtp || rtp.billerPk !== biller.id)
      throw new AppException(ErrorCode.P2G_RTP_NOT_FOUND, `No request to pay ${rtpNo} of this biller`);
    // Past its time but not yet swept: it is expired all the same.
    return rtp.status === 'PND' && rtp.expiresAt.getTime() <= Date.now() ? { ...rtp, status: 'EXP' } : rtp;
  }

  /** Inside a payment's transaction: open requests to pay for the bill are complete; the billers are told. */
  async completeForBill(m: EntityManager, p: BillPayment, e: BillerEndpoint): Promise<string[]> {
    const done = await this.repo.completeForBill(m, p.tenantId, p.billId, p.id);
    const ids: string[] = [];
    for (const rtp of done) {
      ids.push(await this.pushStatus(m, rtp, e.biller));
      await this.record(m, rtp, 'rtp.complete', P2G_SYSTEM, p.id);
    }
    return ids;
  }

  /** Sweeper: requests to pay nobody paid in time expire, and their billers are told. */
  async expireDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = await this.ds.transaction(async (m) => {
        const expired = await this.repo.expireDue(m, BATCH);
        const out: string[] = [];
        for (const rtp of expired) {
          const b = await this.billers.findById(rtp.tenantId, rtp.billerPk, m);
          out.push(await this.pushStatus(m, rtp, b!.biller));
          await this.record(m, rtp, 'rtp.expire', P2G_SYSTEM);
        }
        return out;
      });
      await this.callbacks.dispatch(ids);
      total += ids.length;
      if (ids.length < BATCH) return total;
    }
  }

  private pushStatus(m: EntityManager, rtp: Rtp, biller: Biller): Promise<string> {
    return this.callbacks.schedule(m, {
      tenantId: rtp.tenantId,
      participantId: biller.participantId!,
      url: `${biller.baseUrl!.replace(/\/+$/, '')}/transferRequests/${rtp.rtpNo}`,
      eventType: 'p2g.rtp.status',
      correlationId: rtp.id,
      payload: {
        rtpId: Number(rtp.rtpNo),
        RequestId: rtp.requestId,
        billId: rtp.billId,
        requestStatus: rtp.status,
        ...(rtp.paymentReference ? { PaymentReferenceID: rtp.paymentReference } : {}),
        ...(rtp.rejectReason ? { rejectReason: rtp.rejectReason } : {}),
        lastUpdateDate: Math.floor(Date.now() / 1000),
      },
    });
  }

  private async payerFor(tenantId: string, dto: BillerRtpRequestDto): Promise<PayerFi> {
    if (dto.requestType === '00') {
      const fi = await this.payerFis.byBic(tenantId, dto.payerFiDetails!.payerFIBIC);
      if (!fi || fi.status !== 'active')
        throw new AppException(
          ErrorCode.P2G_PAYER_NOT_RESOLVED,
          `No payer FI with BIC ${dto.payerFiDetails!.payerFIBIC} is linked for bill payment`,
        );
      return fi;
    }
    for (const code of await this.beneficiaries.institutionsOf(tenantId, dto.alias!.aliasId)) {
      const fi = await this.payerFis.byBic(tenantId, code);
      if (fi && fi.status === 'active') return fi;
    }
    throw new AppException(
      ErrorCode.P2G_PAYER_NOT_RESOLVED,
      'The account mapper knows no payer FI linked for bill payment for this alias',
    );
  }

  private replay(rtp: Rtp, bodyHash: string): { rtp: Rtp; replayed: boolean } {
    if (rtp.bodyHash !== bodyHash)
      throw new AppException(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        `Request ID ${rtp.requestId} was already used for another request to pay`,
      );
    return { rtp, replayed: true };
  }

  private record(
    m: EntityManager,
    rtp: Rtp,
    action: string,
    actor: { id: string; kind: string },
    correlationId?: string,
  ) {
    return this.audit.record(m, [
      {
        tenantId: rtp.tenantId,
        actor,
        action,
        objectType: 'rtp_request',
        objectId: rtp.id,
        correlationId,
        after: { ...rtp, amount: rtp.amount.toString() },
        details: { rtpNo: rtp.rtpNo, billId: rtp.billId, status: rtp.status },
      },
    ]);
  }
}
