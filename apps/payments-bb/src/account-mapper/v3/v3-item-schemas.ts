import { ItemSchema } from '../domain/beneficiary-input';

/**
 * api-v3 RegisterBeneficiaryRequest.yml spells the fields payeeIdentity / PaymentModality / FinancialAddress
 * while the data structures (spec 7.1.1) and UpdateBeneficiaryRequest.yml use camelCase. We accept both
 * spellings of each field (never both at once) and reject anything else.
 */
const common: ItemSchema = {
  payeeIdentity: { field: 'functionalId', required: true, min: 1, max: 20 },
  PaymentModality: { field: 'modality', max: 2 },
  paymentModality: { field: 'modality', max: 2 },
  FinancialAddress: { field: 'address', max: 30 },
  financialAddress: { field: 'address', max: 30 },
  bankingInstitutionCode: { field: 'institutionCode', max: 11 },
  BankingInstitutionCode: { field: 'institutionCode', max: 11 },
};

export const V3_REGISTER_BENEFICIARY: ItemSchema = common;

export const V3_UPDATE_BENEFICIARY: ItemSchema = {
  ...common,
  status: { field: 'status', max: 1, oneOf: ['0', '1'] },
};
