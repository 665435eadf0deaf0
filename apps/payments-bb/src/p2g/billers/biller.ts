export const AMOUNT_EXACTNESS = ['EXACT', 'EXACT_UP', 'EXACT_DOWN', 'ANY'] as const;
/** BBPS's names: EXACT, EXACT_UP (exact or above), EXACT_DOWN (exact or below), ANY. */
export type AmountExactness = (typeof AMOUNT_EXACTNESS)[number];

export const BILLER_STATUSES = ['pending_approval', 'active', 'suspended', 'rejected'] as const;
export type BillerStatus = (typeof BILLER_STATUSES)[number];

export interface PaymentRules {
  amountExactness: AmountExactness;
  partialPayment: boolean;
  /** Minor units; 0 = no minimum. */
  minAmount: bigint;
}

/** A biller or aggregator as the registry keeps it (without the secret it is called with). */
export interface Biller {
  id: string;
  tenantId: string;
  billerId: string;
  prefix: string;
  name: string;
  shortName: string;
  kind: 'biller' | 'aggregator';
  participantId: string | null;
  baseUrl: string | null;
  /** An internal biller: a business service of a DIGIT tenant on this server (docs/digit.md), instead of baseUrl. */
  digit: { tenantId: string; businessService: string } | null;
  authHeaderName: string | null;
  timeoutMs: number;
  currencies: string[];
  settlement: { bankCode: string; accountNumber: string; accountName: string | null };
  rules: PaymentRules;
  status: BillerStatus;
  createdBy: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What calling the biller needs, secret included; never leaves the server. */
export interface BillerEndpoint {
  biller: Biller;
  authHeaderValue: string | null;
  signingSecret: string | null;
}

export function payableAccountCode(billerId: string, currency: string): string {
  return `p2g:biller:${billerId}:${currency}`;
}

export function billerView(b: Biller) {
  return {
    billerId: b.billerId,
    prefix: b.prefix,
    name: b.name,
    shortName: b.shortName,
    kind: b.kind,
    status: b.status,
    baseUrl: b.baseUrl,
    digit: b.digit,
    timeoutMs: b.timeoutMs,
    authHeaderName: b.authHeaderName,
    currencies: b.currencies,
    settlementAccount: b.settlement,
    rules: { ...b.rules, minAmount: b.rules.minAmount.toString() },
    participantId: b.participantId,
    createdBy: b.createdBy,
    decidedBy: b.decidedBy,
    decidedAt: b.decidedAt,
    decisionReason: b.decisionReason,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
  };
}
