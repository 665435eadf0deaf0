import { Actor } from './audit/audit.service';
import { Principal } from './auth/principal';

/** What a service needs to know about the call it serves: who, for which tenant, under which correlation ID. */
export interface RequestContext {
  principal: Principal;
  correlationId: string;
}

/** Console operators are audited as `user:<username>` (usernames never change); clients by their participant ID. */
export function actorOf(principal: Principal): Actor {
  if (principal.operator) return { id: `user:${principal.operator.username}`, kind: 'operator_user' };
  return { id: principal.participantId ?? `${principal.kind}:${principal.participantCode}`, kind: principal.kind };
}
