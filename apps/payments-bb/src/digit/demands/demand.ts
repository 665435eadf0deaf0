import { Payer } from '../payer-data';

export interface DemandDetail {
  id: string;
  demandId: string;
  tenantId: string;
  taxHeadCode: string;
  taxAmount: bigint;
  collectionAmount: bigint;
}

export interface Demand {
  id: string;
  tenantId: string;
  consumerCode: string;
  consumerType: string | null;
  businessService: string;
  payer: Payer | null;
  taxPeriodFrom: number;
  taxPeriodTo: number;
  billExpiryTime: number | null;
  fixedBillExpiryDate: number | null;
  minimumAmountPayable: bigint;
  status: 'ACTIVE' | 'CANCELLED' | 'ADJUSTED';
  isPaymentCompleted: boolean;
  additionalDetails: unknown;
  details: DemandDetail[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}
