import { Actor } from './audit/audit.service';
import { Principal } from './auth/principal';

/** What a service needs to know about the call it serves: who, for which tenant, under which correlation ID. */
export interface RequestContext {
  principal: Principal;
  correlationId: string;
}

/** A console operator as the audit trail names them: `user:<username>` (usernames never change). */
export function operatorActor(username: string): Actor {
  return { id: `user:${username}`, kind: 'operator_user' };
}

/** Console operators are audited by username; clients by their participant ID. */
export function actorOf(principal: Principal): Actor {
  if (principal.operator) return operatorActor(principal.operator.username);
  return { id: principal.participantId ?? `${principal.kind}:${principal.participantCode}`, kind: principal.kind };
}
