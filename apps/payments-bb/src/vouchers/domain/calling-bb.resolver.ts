import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode, Principal } from '@app/platform';
import { Participant } from '../../participants/participant';
import { ParticipantsService } from '../../participants/participants.service';

const TTL_MS = 5_000;
const ACTING_KINDS = ['source_bb', 'registration_bb', 'information_mediator', 'merchant_gateway'] as const;

/**
 * `Gov_Stack_BB`: the building block a voucher call is made for. It must be an active participant (460
 * otherwise). A building block calling for itself must name itself; an Information Mediator or an operator
 * may name any building block of its tenant. Answers are kept a few seconds: redemptions ask on every call.
 */
@Injectable()
export class CallingBbResolver {
  private readonly cache = new Map<string, { at: number; p: Participant | null }>();

  constructor(private readonly participants: ParticipantsService) {}

  async resolve(principal: Principal, code: unknown): Promise<Participant> {
    if (typeof code !== 'string' || code.length === 0 || code.length > 64)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'Gov_Stack_BB must name the calling building block',
      );
    const mayActForOthers =
      principal.kind === 'information_mediator' ||
      principal.kind === 'operator' ||
      principal.kind === 'sandbox';
    if (!mayActForOthers && principal.participantCode !== code)
      throw new AppException(
        ErrorCode.FORBIDDEN,
        `A building block may only act for itself, not for '${code}'`,
      );
    const key = `${principal.tenantId}\0${code}`;
    const hit = this.cache.get(key);
    let p = hit && Date.now() - hit.at < TTL_MS ? hit.p : undefined;
    if (p === undefined) {
      p = (await this.participants.findActive(principal.tenantId, code, [...ACTING_KINDS])) ?? null;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { at: Date.now(), p });
    }
    if (!p)
      throw new AppException(
        ErrorCode.VOUCHER_UNKNOWN_BB,
        `Gov Stack Building Block '${code}' does not exist`,
      );
    return p;
  }

  /** The participant itself when the caller is one (v3 calls carry no Gov_Stack_BB). */
  async self(principal: Principal): Promise<Participant> {
    if (!principal.participantId)
      throw new AppException(ErrorCode.FORBIDDEN, 'This call must be made by a registered building block');
    return this.resolve(principal, principal.participantCode);
  }
}
