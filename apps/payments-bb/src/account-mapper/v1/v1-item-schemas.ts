import { ItemSchema } from '../domain/beneficiary-input';

/** api-v1 Registerbeneficiary.yaml / UpdateBeneficiary.yaml, plus the spec's BankingInstitutionCode (7.1.1). */
export const V1_BENEFICIARY: ItemSchema = {
  PayeeFunctionalID: { field: 'functionalId', required: true, min: 20, max: 20 },
  PaymentModality: { field: 'modality', min: 2, max: 2 },
  FinancialAddress: { field: 'address', max: 30 },
  BankingInstitutionCode: { field: 'institutionCode', max: 11 },
};
