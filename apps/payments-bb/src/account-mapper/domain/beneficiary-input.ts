import { AppException, ErrorCode } from '@app/platform';

/** One beneficiary as the service sees it, whichever API generation it came from. */
export interface BeneficiaryInput {
  functionalId: string;
  modality?: string;
  address?: string;
  institutionCode?: string;
  /** v3 update only: '1' active, '0' inactive. */
  status?: '0' | '1';
}

type Field = keyof BeneficiaryInput;

interface FieldRule {
  field: Field;
  required?: boolean;
  min?: number;
  max: number;
  oneOf?: readonly string[];
}

/** The wire names an API accepts for each field, with its length rules from the YAML. */
export type ItemSchema = Record<string, FieldRule>;

/**
 * Checks the shape of every beneficiary (types, lengths, required and unknown fields) in one pass.
 * Hand-written rather than class-validator because bulk requests hold 100,000 items; the rules are
 * the same ones the DTOs document. Any shape error rejects the whole request with every problem listed
 * (up to 20); content problems (bad IBAN, duplicates) are per-beneficiary failed cases instead.
 */
export function parseBeneficiaries(items: unknown[], schema: ItemSchema, listName: string): BeneficiaryInput[] {
  const problems: string[] = [];
  const out: BeneficiaryInput[] = new Array<BeneficiaryInput>(items.length);
  const requiredNames = Object.entries(schema).filter(([, r]) => r.required);
  for (let i = 0; i < items.length && problems.length < 20; i++) {
    const item = items[i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(`${listName}[${i}] must be an object`);
      continue;
    }
    const parsed: Partial<BeneficiaryInput> = {};
    for (const [name, value] of Object.entries(item as Record<string, unknown>)) {
      const rule = schema[name];
      const at = `${listName}[${i}].${name}`;
      if (!rule) problems.push(`${at} is not a known field`);
      else if (value === null || value === undefined) continue;
      else if (typeof value !== 'string') problems.push(`${at} must be a string`);
      else if (value.length > rule.max || value.length < (rule.min ?? 0))
        problems.push(`${at} must be ${rule.min === rule.max ? `exactly ${rule.max}` : `${rule.min ?? 0}-${rule.max}`} characters`);
      else if (rule.oneOf && !rule.oneOf.includes(value)) problems.push(`${at} must be one of ${rule.oneOf.join(', ')}`);
      else if (parsed[rule.field] !== undefined) problems.push(`${at} is given twice under different names`);
      else (parsed as Record<string, string>)[rule.field] = value;
    }
    for (const [name, rule] of requiredNames) {
      if (parsed[rule.field] === undefined || parsed[rule.field] === '') problems.push(`${listName}[${i}].${name} is required`);
    }
    out[i] = parsed as BeneficiaryInput;
  }
  if (problems.length) throw new AppException(ErrorCode.VALIDATION_FAILED, problems[0], problems);
  return out;
}
