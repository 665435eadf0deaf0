import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppException, ErrorCode, Principal } from '@app/platform';
import { Participant } from '../participants/participant';
import { ParticipantsService } from '../participants/participants.service';

/**
 * Resolves the SourceBBID / registering institution named in a request to a registered, active
 * participant of the caller's tenant. A source BB may only act for itself; a registration BB, an
 * Information Mediator or an operator may act for any source of its tenant (spec 9.1.1 step 6).
 */
@Injectable()
export class SourceBbResolver {
  constructor(private readonly participants: ParticipantsService) {}

  async resolve(principal: Principal, code: string, m?: EntityManager): Promise<Participant> {
    if (principal.kind === 'source_bb' && principal.participantCode !== code)
      throw new AppException(ErrorCode.FORBIDDEN, `A source BB may only act for itself, not for '${code}'`);
    const source = await this.participants.findActive(principal.tenantId, code, ['source_bb', 'registration_bb'], m);
    if (!source)
      throw new AppException(ErrorCode.UNKNOWN_SOURCE_BB, `Source BB '${code}' is not registered with this Payments BB`);
    return source;
  }
}
