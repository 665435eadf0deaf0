import { rupees } from '../money';
import { Demand } from './demand';

export function demandView(d: Demand, currency = 'INR') {
  return {
    id: d.id,
    tenantId: d.tenantId,
    consumerCode: d.consumerCode,
    consumerType: d.consumerType,
    businessService: d.businessService,
    payer: d.payer,
    taxPeriodFrom: d.taxPeriodFrom,
    taxPeriodTo: d.taxPeriodTo,
    billExpiryTime: d.billExpiryTime,
    fixedBillExpiryDate: d.fixedBillExpiryDate,
    minimumAmountPayable: rupees(d.minimumAmountPayable, currency),
    status: d.status,
    isPaymentCompleted: d.isPaymentCompleted,
    additionalDetails: d.additionalDetails ?? null,
    demandDetails: d.details.map((x) => ({
      id: x.id,
      demandId: d.id,
      tenantId: d.tenantId,
      taxHeadMasterCode: x.taxHeadCode,
      taxAmount: rupees(x.taxAmount, currency),
      collectionAmount: rupees(x.collectionAmount, currency),
    })),
    auditDetails: {
      createdBy: d.createdBy,
      createdTime: d.createdAt.getTime(),
      lastModifiedTime: d.updatedAt.getTime(),
    },
  };
}
