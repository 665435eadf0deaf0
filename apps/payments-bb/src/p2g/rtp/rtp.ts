export type RtpStatus = 'PND' | 'COM' | 'RJC' | 'EXP' | 'CAN';

export interface Rtp {
  id: string;
  tenantId: string;
  rtpNo: string;
  billerPk: string;
  requestId: string;
  billerRtpId: string | null;
  bodyHash: string;
  billId: string;
  amount: bigint;
  currency: string;
  requestType: '00' | '01';
  aliasType: string | null;
  payerFiId: string;
  callbackUrl: string;
  status: RtpStatus;
  payerResponse: '00' | '01' | null;
  rejectReason: string | null;
  paymentId: string | null;
  paymentReference: string | null;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}
