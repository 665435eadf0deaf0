import { VoucherState } from './voucher-state';

export interface VoucherGroup {
  id: string;
  tenantId: string;
  code: string;
  name: string;
  currency: string;
  programId: string;
  programCode: string;
  fundingAccountId: string;
  liabilityAccountId: string;
  /** Minor units; empty: any amount. */
  denominations: bigint[];
  validityDays: number;
  expiresOn: Date | null;
  /** Merchant groups whose merchants may redeem; the group's own code always may. */
  merchantGroups: string[];
  lowStockThreshold: number;
  status: 'active' | 'disabled';
  createdAt: Date;
  updatedAt: Date;
}

export interface Voucher {
  id: string;
  tenantId: string;
  groupId: string;
  serial: bigint;
  amount: bigint;
  currency: string;
  state: VoucherState;
  holderId: string | null;
  payeeFunctionalId: string | null;
  instructionId: string | null;
  legacy: boolean;
  expiresAt: Date;
  preactivatedAt: Date | null;
  activatedAt: Date | null;
  finishedAt: Date | null;
  stateReason: string | null;
  numberEnc: Buffer | null;
  numberKeyId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface VoucherRow {
  id: string;
  tenant_id: string;
  group_id: string;
  serial: string;
  amount: string;
  currency: string;
  state: VoucherState;
  holder_id: string | null;
  payee_functional_id: string | null;
  instruction_id: string | null;
  legacy: boolean;
  expires_at: Date;
  preactivated_at: Date | null;
  activated_at: Date | null;
  finished_at: Date | null;
  state_reason: string | null;
  number_enc: Buffer | null;
  number_key_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export const VOUCHER_COLUMNS = `id, tenant_id, group_id, serial::text, amount::text, currency, state, holder_id, payee_functional_id,
  instruction_id, legacy, expires_at, preactivated_at, activated_at, finished_at, state_reason, number_enc, number_key_id,
  created_at, updated_at`;

export function toVoucher(r: VoucherRow): Voucher {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    groupId: r.group_id,
    serial: BigInt(r.serial),
    amount: BigInt(r.amount),
    currency: r.currency,
    state: r.state,
    holderId: r.holder_id,
    payeeFunctionalId: r.payee_functional_id,
    instructionId: r.instruction_id,
    legacy: r.legacy,
    expiresAt: r.expires_at,
    preactivatedAt: r.preactivated_at,
    activatedAt: r.activated_at,
    finishedAt: r.finished_at,
    stateReason: r.state_reason,
    numberEnc: r.number_enc,
    numberKeyId: r.number_key_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface Merchant {
  id: string;
  tenantId: string;
  code: string;
  name: string;
  faEnc: Buffer;
  faKeyId: string;
  fspCode: string | null;
  merchantGroups: string[];
  participantId: string | null;
  payableAccountId: string | null;
  status: 'active' | 'suspended';
  createdAt: Date;
  updatedAt: Date;
}

/** A serial as callers write it: the v1 contract sends an integer, v3 a string; both mean the same number. */
export function parseSerial(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? BigInt(value) : undefined;
  if (typeof value === 'bigint') return value > 0n ? value : undefined;
  if (typeof value !== 'string' || !/^[0-9]{1,19}$/.test(value)) return undefined;
  const n = BigInt(value);
  return n > 0n && n < 2n ** 63n ? n : undefined;
}

/** v1 answers carry the serial as a 16-digit string (its minimum length); legacy serials are padded with zeros. */
export const formatSerial = (serial: bigint): string => serial.toString().padStart(16, '0');
