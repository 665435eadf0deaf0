import { Actor } from './audit/audit.service';
import { Principal } from './auth/principal';

/** What a service needs to know about the call it serves: who, for which tenant, under which correlation ID. */
export interface RequestContext {
  principal: Principal;
  correlationId: string;
}

export function actorOf(principal: Principal): Actor {
  return { id: principal.participantId ?? `${principal.kind}:${principal.participantCode}`, kind: principal.kind };
}
