import { isCurrency } from '@app/ledger/money';
import { DigitErrors } from '../envelope/digit-exception';
import { bool, Obj, text, TENANT_ID } from '../envelope/read';
import { toMinor } from '../money';
import { PAYMENT_MODES } from '../payments/payment-input';
import { BusinessService, TaxHead } from './masters.repository';

const CATEGORIES = [
  'TAX',
  'FEE',
  'CHARGES',
  'REBATE',
  'ADVANCE_COLLECTION',
  'PENALTY',
  'FINES',
  'EXEMPTION',
  'INTEREST',
];
/** MDMS codes are printable ASCII: 'FN.PF_transfer_(Accounts)', 'WF.Tender Form Fee'. */
const CODE = /^[!-~][ -~]{0,127}$/;

/** Business services as MDMS's BillingService.BusinessService gives them (the API and the seed import take the same). */
export function readBusinessServices(items: Obj[], errors: DigitErrors): BusinessService[] {
  return items.map((o) => {
    const currency = text(o, 'currency', errors, { pattern: /^[A-Z]{3}$/ }) ?? 'INR';
    if (!isCurrency(currency)) errors.add('INVALID_CURRENCY', `Unknown currency ${currency}`);
    const modes = Array.isArray(o.collectionModesNotAllowed) ? o.collectionModesNotAllowed.map(String) : [];
    if (modes.some((m) => !(PAYMENT_MODES as readonly string[]).includes(m)))
      errors.add('INVALID_PAYMENTMODE', 'collectionModesNotAllowed holds an unknown payment mode');
    const expiryDays = o.billExpiryDays === undefined ? 30 : Number(o.billExpiryDays);
    if (!Number.isInteger(expiryDays) || expiryDays < 1 || expiryDays > 3650)
      errors.add('INVALID_REQUEST', 'billExpiryDays must be 1-3650');
    return {
      tenantId: text(o, 'tenantId', errors, { required: true, pattern: TENANT_ID }) ?? '',
      code: text(o, 'code', errors, { required: true, pattern: CODE }) ?? '',
      businessService: text(o, 'businessService', errors, { required: true, max: 256 }) ?? '',
      partPaymentAllowed: bool(o, 'partPaymentAllowed', errors),
      advanceAllowed: bool(o, 'isAdvanceAllowed', errors),
      minAmountPayable:
        o.minAmountPayable === undefined || o.minAmountPayable === null
          ? 0n
          : toMinor(o.minAmountPayable, 'minAmountPayable', isCurrency(currency) ? currency : 'INR', {
              allowZero: true,
            }),
      collectionModesNotAllowed: modes,
      demandUpdateTime: Number(o.demandUpdateTime ?? 86_400_000) || 86_400_000,
      billExpiryDays: expiryDays,
      currency,
    };
  });
}

/** Tax heads as MDMS's BillingService.TaxHeadMaster gives them. */
export function readTaxHeads(items: Obj[], errors: DigitErrors): TaxHead[] {
  return items.map((o) => {
    const category = text(o, 'category', errors, { required: true }) ?? '';
    if (category && !CATEGORIES.includes(category))
      errors.add('INVALID_TAXHEAD_CATEGORY', `Unknown category ${category}`);
    const order = o.order === undefined ? 0 : Number(o.order);
    if (!Number.isInteger(order)) errors.add('INVALID_REQUEST', 'order must be an integer');
    return {
      tenantId: text(o, 'tenantId', errors, { required: true, pattern: TENANT_ID }) ?? '',
      service: text(o, 'service', errors, { required: true, pattern: CODE }) ?? '',
      code: text(o, 'code', errors, { required: true, pattern: CODE }) ?? '',
      name: text(o, 'name', errors, { required: true, max: 256 }) ?? '',
      category,
      order,
      isDebit: bool(o, 'isDebit', errors),
    };
  });
}
