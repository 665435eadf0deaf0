import { AppException, ErrorCode } from '@app/platform';
import { V1_BENEFICIARY } from '../v1/v1-item-schemas';
import { V3_REGISTER_BENEFICIARY, V3_UPDATE_BENEFICIARY } from '../v3/v3-item-schemas';
import { ItemSchema, parseBeneficiaries } from './beneficiary-input';

const FID = 'PayeeFunctionalID111'; // 20 characters, as v1 wants

/** The problems parseBeneficiaries reports, or [] when it accepts the items. */
function problemsOf(items: unknown[], schema: ItemSchema = V1_BENEFICIARY, list = 'Beneficiaries'): string[] {
  try {
    parseBeneficiaries(items, schema, list);
    return [];
  } catch (err) {
    if (!(err instanceof AppException)) throw err;
    expect(err.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(err.status).toBe(400);
    expect(err.message).toBe(err.details?.[0]);
    return err.details ?? [];
  }
}

describe('parseBeneficiaries', () => {
  it('maps wire names to fields and leaves out absent or null ones', () => {
    const items = [
      {
        PayeeFunctionalID: FID,
        PaymentModality: '00',
        FinancialAddress: 'NL87ABNA4193835510',
        BankingInstitutionCode: 'ABNANL2A',
      },
      { PayeeFunctionalID: 'PayeeFunctionalID222', FinancialAddress: null },
    ];
    expect(parseBeneficiaries(items, V1_BENEFICIARY, 'Beneficiaries')).toEqual([
      { functionalId: FID, modality: '00', address: 'NL87ABNA4193835510', institutionCode: 'ABNANL2A' },
      { functionalId: 'PayeeFunctionalID222' },
    ]);
  });

  it('accepts either spelling of a v3 field', () => {
    expect(
      parseBeneficiaries(
        [
          { payeeIdentity: 'P1', PaymentModality: '01', FinancialAddress: '+255712345678' },
          {
            payeeIdentity: 'P2',
            paymentModality: '03',
            financialAddress: 'jane@wallet',
            bankingInstitutionCode: 'X1',
          },
        ],
        V3_REGISTER_BENEFICIARY,
        'beneficiaries',
      ),
    ).toEqual([
      { functionalId: 'P1', modality: '01', address: '+255712345678' },
      { functionalId: 'P2', modality: '03', address: 'jane@wallet', institutionCode: 'X1' },
    ]);
  });

  it('refuses unknown fields', () => {
    expect(problemsOf([{ PayeeFunctionalID: FID, InstructionID: 'x' }])).toEqual([
      'Beneficiaries[0].InstructionID is not a known field',
    ]);
  });

  it('refuses values that are not strings', () => {
    expect(
      problemsOf([
        { PayeeFunctionalID: FID, PaymentModality: 0 },
        { PayeeFunctionalID: FID, FinancialAddress: {} },
      ]),
    ).toEqual([
      'Beneficiaries[0].PaymentModality must be a string',
      'Beneficiaries[1].FinancialAddress must be a string',
    ]);
  });

  it('refuses items that are not objects', () => {
    expect(problemsOf(['x', null, [FID]])).toEqual([
      'Beneficiaries[0] must be an object',
      'Beneficiaries[1] must be an object',
      'Beneficiaries[2] must be an object',
    ]);
  });

  it('enforces the length bounds of the YAML', () => {
    const problems = problemsOf([
      { PayeeFunctionalID: FID.slice(0, 19) },
      { PayeeFunctionalID: `${FID}X` },
      { PayeeFunctionalID: FID, PaymentModality: '0' },
      { PayeeFunctionalID: FID, FinancialAddress: 'A'.repeat(31) },
      { PayeeFunctionalID: FID, BankingInstitutionCode: 'B'.repeat(12) },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        'Beneficiaries[0].PayeeFunctionalID must be exactly 20 characters',
        'Beneficiaries[1].PayeeFunctionalID must be exactly 20 characters',
        'Beneficiaries[2].PaymentModality must be exactly 2 characters',
        'Beneficiaries[3].FinancialAddress must be 0-30 characters',
        'Beneficiaries[4].BankingInstitutionCode must be 0-11 characters',
      ]),
    );
    expect(problems.filter((p) => /Beneficiaries\[[2-4]\]/.test(p))).toHaveLength(3);
    expect(
      problemsOf([
        { PayeeFunctionalID: FID, FinancialAddress: 'A'.repeat(30), BankingInstitutionCode: 'B'.repeat(11) },
      ]),
    ).toEqual([]);
  });

  it('requires the required fields, also when empty or null', () => {
    expect(problemsOf([{}, { PayeeFunctionalID: null }, { FinancialAddress: 'NL87ABNA4193835510' }])).toEqual(
      [
        'Beneficiaries[0].PayeeFunctionalID is required',
        'Beneficiaries[1].PayeeFunctionalID is required',
        'Beneficiaries[2].PayeeFunctionalID is required',
      ],
    );
    expect(problemsOf([{ payeeIdentity: '' }], V3_REGISTER_BENEFICIARY, 'beneficiaries')).toContain(
      'beneficiaries[0].payeeIdentity is required',
    );
  });

  it('refuses the same field given twice under different names', () => {
    expect(
      problemsOf(
        [{ payeeIdentity: 'P1', PaymentModality: '00', paymentModality: '00' }],
        V3_REGISTER_BENEFICIARY,
        'beneficiaries',
      ),
    ).toEqual(['beneficiaries[0].paymentModality is given twice under different names']);
    expect(
      problemsOf(
        [{ payeeIdentity: 'P1', FinancialAddress: 'a', financialAddress: 'b' }],
        V3_REGISTER_BENEFICIARY,
        'beneficiaries',
      ),
    ).toEqual(['beneficiaries[0].financialAddress is given twice under different names']);
  });

  it('allows only the listed values where the schema has a list', () => {
    expect(
      parseBeneficiaries([{ payeeIdentity: 'P1', status: '0' }], V3_UPDATE_BENEFICIARY, 'beneficiaries'),
    ).toEqual([{ functionalId: 'P1', status: '0' }]);
    expect(
      problemsOf([{ payeeIdentity: 'P1', status: '2' }], V3_UPDATE_BENEFICIARY, 'beneficiaries'),
    ).toEqual(['beneficiaries[0].status must be one of 0, 1']);
    expect(
      problemsOf([{ payeeIdentity: 'P1', status: '1' }], V3_REGISTER_BENEFICIARY, 'beneficiaries'),
    ).toEqual(['beneficiaries[0].status is not a known field']);
  });

  it('lists at most 20 problems so a bad bulk request cannot produce a huge answer', () => {
    const items = Array.from({ length: 1000 }, () => ({ Unknown: 'x', PayeeFunctionalID: FID }));
    const problems = problemsOf(items);
    expect(problems).toHaveLength(20);
    expect(problems[19]).toBe('Beneficiaries[19].Unknown is not a known field');
  });
});
