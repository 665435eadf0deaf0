import { functionalId, id12 } from './factories';

/** Valid financial addresses for each modality, and helpers to build GovStack v1 requests. */
export const VALID_IBAN = 'NL87ABNA4193835510';
export const VALID_IBAN_2 = 'NL64ABNA6201350640';
export const BAD_IBAN = 'NL88ABNA4193835510';
export const MSISDN = '+255712345678';

export interface V1Beneficiary {
  PayeeFunctionalID: string;
  PaymentModality?: string;
  FinancialAddress?: string;
  BankingInstitutionCode?: string;
}

export const bankBeneficiary = (iban = VALID_IBAN): V1Beneficiary => ({
  PayeeFunctionalID: functionalId(),
  PaymentModality: '00',
  FinancialAddress: iban,
});

export const v1Request = (sourceCode: string, beneficiaries: V1Beneficiary[], requestId = id12('R')) => ({
  RequestID: requestId,
  SourceBBID: sourceCode,
  Beneficiaries: beneficiaries,
});
