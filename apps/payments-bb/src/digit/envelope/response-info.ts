import { randomUUID } from 'node:crypto';

export interface RequestInfoLike {
  apiId?: string;
  ver?: string;
  ts?: number;
  msgId?: string;
  authToken?: string;
  [k: string]: unknown;
}

/**
 * ResponseInfo as the contract gives it (common/contracts v1-0-0: apiId, ver, ts, resMsgId, msgId, status
 * SUCCESSFUL|FAILED), echoing the request's apiId, ver and msgId; spelled correctly (billing-service's BillResponseV2
 * says "ResposneInfo").
 */
export function responseInfo(ri: RequestInfoLike | undefined | null, ok = true) {
  return {
    apiId: typeof ri?.apiId === 'string' ? ri.apiId : null,
    ver: typeof ri?.ver === 'string' ? ri.ver : null,
    ts: Date.now(),
    resMsgId: randomUUID(),
    msgId: typeof ri?.msgId === 'string' ? ri.msgId : null,
    status: ok ? 'SUCCESSFUL' : 'FAILED',
  };
}
