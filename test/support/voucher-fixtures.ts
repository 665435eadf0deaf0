import { generateKeyPairSync, KeyObject } from 'node:crypto';
import request from 'supertest';
import { decryptJwe, encryptJwe, publicJwkOf, publicKeyFromJwk } from '@app/platform';
import type { PayerFspSimulator } from '../../apps/simulators/src/payer-fsp/payer-fsp';
import { as, BulkWorld, createBulkWorld, uniqueMsisdn } from './bulk-fixtures';
import { id12 } from './factories';
import { TestApp } from './test-app';

/** A bulk world plus a voucher group with stock, and one merchant that may redeem it. */
export interface VoucherWorld extends BulkWorld {
  groupCode: string;
  liabilityAccountId: string;
  merchant: TestMerchant;
}

export interface TestMerchant {
  code: string;
  name: string;
  financialAddress: string;
  merchantGroups: string[];
}

export interface VoucherWorldOptions {
  callbackBase?: string;
  /** Decimal string; default 1000.00. */
  funding?: string;
  /** Vouchers of 10.00 provisioned; default 5 (0: none). */
  stock?: number;
  denominations?: string[];
  merchantGroups?: string[];
  /** Connector timeout, default 2000 ms. */
  timeoutMs?: number;
}

/** An RSA key pair of 2048 bits, as a partner or the server holds it. */
export function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject; privatePem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export const merchantGroupOf = (groupCode: string) => `MG-${groupCode}`;

export async function createVoucherWorld(
  t: TestApp,
  fsp: PayerFspSimulator,
  o: VoucherWorldOptions = {},
): Promise<VoucherWorld> {
  const w = await createBulkWorld(t, {
    fspUrl: fsp.url,
    callbackBase: o.callbackBase,
    funding: o.funding ?? '1000.00',
  });
  fsp.configure({ pbbApiKey: w.fsp.apiKey, tenantId: w.tenantId });
  if (o.timeoutMs !== undefined) {
    const put = await t
      .http()
      .put(`/fsp-connectors/${w.fsp.code}`)
      .set(as(w.operator))
      .send({ baseUrl: fsp.url, timeoutMs: o.timeoutMs });
    if (put.status !== 200) throw new Error(`connector: ${put.status} ${JSON.stringify(put.body)}`);
  }
  const groupCode = `G${id12().slice(0, 10)}`;
  const mg = merchantGroupOf(groupCode);
  const group = await t
    .http()
    .post('/voucher-groups')
    .set(as(w.operator))
    .send({
      code: groupCode,
      name: 'Food voucher',
      currency: 'TZS',
      programCode: w.programCode,
      denominations: o.denominations ?? ['10.00'],
      merchantGroups: o.merchantGroups ?? [mg],
    });
  if (group.status !== 201) throw new Error(`group: ${group.status} ${JSON.stringify(group.body)}`);
  const merchant = await putMerchant(t, w, { merchantGroups: [mg] });
  const vw: VoucherWorld = { ...w, groupCode, liabilityAccountId: group.body.liabilityAccountId, merchant };
  const stock = o.stock ?? 5;
  if (stock > 0) {
    const res = await provision(t, vw, stock);
    if (res.status !== 201) throw new Error(`provision: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return vw;
}

export function provision(t: TestApp, w: VoucherWorld, count: number, amount = '10.00', key?: string) {
  return t
    .http()
    .post(`/voucher-groups/${w.groupCode}/provisions`)
    .set({ ...as(w.operator), ...(key ? { 'Idempotency-Key': key } : {}) })
    .send({ count, amount });
}

export async function putMerchant(
  t: TestApp,
  w: BulkWorld,
  m: { merchantGroups: string[]; code?: string; financialAddress?: string },
): Promise<TestMerchant> {
  const code = m.code ?? `M-${id12()}`;
  const merchant = {
    code,
    name: `Shop ${code}`,
    financialAddress: m.financialAddress ?? uniqueMsisdn(),
    merchantGroups: m.merchantGroups,
  };
  const res = await t.http().put(`/merchants/${code}`).set(as(w.operator)).send(merchant);
  if (res.status !== 200) throw new Error(`merchant: ${res.status} ${JSON.stringify(res.body)}`);
  return merchant;
}

export interface Preactivated {
  voucher_number: string;
  voucher_serial_number: string;
  expiry_date_time: string;
}

export function preactivateRaw(t: TestApp, w: VoucherWorld, body: Record<string, unknown> = {}) {
  return t
    .http()
    .post('/vouchers/voucher_preactivation')
    .set(as(w.source))
    .send({
      voucher_amount: '10.00',
      voucher_currency: 'TZS',
      voucher_group: w.groupCode,
      Gov_Stack_BB: w.source.code,
      ...body,
    });
}

/** Pre-activates one voucher of 10.00 for the source BB. */
export async function preactivate(t: TestApp, w: VoucherWorld): Promise<Preactivated> {
  const res = await preactivateRaw(t, w);
  if (res.status !== 200) throw new Error(`preactivate: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Preactivated;
}

export function activateRaw(t: TestApp, w: VoucherWorld, serial: unknown) {
  return t
    .http()
    .patch('/vouchers/voucher_activation')
    .set(as(w.source))
    .send({ voucher_serial_number: serial, Gov_Stack_BB: w.source.code });
}

/** A pre-activated and activated voucher of 10.00, ready to be redeemed. */
export async function activeVoucher(t: TestApp, w: VoucherWorld): Promise<Preactivated> {
  const v = await preactivate(t, w);
  const res = await activateRaw(t, w, v.voucher_serial_number);
  if (res.status !== 200) throw new Error(`activate: ${res.status} ${JSON.stringify(res.body)}`);
  return v;
}

export interface RedeemOptions {
  merchant?: TestMerchant;
  merchantGroup?: string;
  override?: boolean;
  path?: 'voucher_redeemption' | 'voucher_redemption';
  /** Who calls: the source BB (default) or e.g. the operator. */
  caller?: 'source' | 'operator';
  idempotencyKey?: string;
}

export function redeem(
  t: TestApp,
  w: VoucherWorld,
  voucherNumber: unknown,
  o: RedeemOptions = {},
): request.Test {
  const m = o.merchant ?? w.merchant;
  return t
    .http()
    .post(`/vouchers/${o.path ?? 'voucher_redeemption'}`)
    .set({
      ...as(o.caller === 'operator' ? w.operator : w.source),
      ...(o.idempotencyKey ? { 'Idempotency-Key': o.idempotencyKey } : {}),
    })
    .send({
      voucher_number: voucherNumber,
      Gov_Stack_BB: w.source.code,
      merchant_name: m.name,
      merchant_bank_details: m.financialAddress,
      merchant_voucher_group: o.merchantGroup ?? m.merchantGroups[0],
      override: o.override ?? false,
    });
}

export function statusCheck(t: TestApp, w: VoucherWorld, serial: string) {
  return t.http().get(`/vouchers/voucherstatuscheck/${serial}`).set(as(w.source));
}

export function cancel(t: TestApp, w: VoucherWorld, serial: string) {
  return t
    .http()
    .patch(`/vouchers/voucherstatuscheck/${serial}`)
    .set(as(w.source))
    .send({ Gov_Stack_BB: w.source.code });
}

/** Net balance in minor units: credits - debits (posted) for a credit-normal account, the other way round otherwise. */
export async function netCredit(t: TestApp, accountId: string): Promise<bigint> {
  const [a] = (await t.ds.query(
    `SELECT debits_posted::text AS d, credits_posted::text AS c FROM ledger_accounts WHERE id = $1`,
    [accountId],
  )) as { d: string; c: string }[];
  return BigInt(a.c) - BigInt(a.d);
}

/** The posted ledger transfers touching an account, oldest first. */
export async function transfersOf(
  t: TestApp,
  accountId: string,
): Promise<{ code: string; amount: string; debit: string; credit: string }[]> {
  return (await t.ds.query(
    `SELECT code, amount::text AS amount, debit_account_id AS debit, credit_account_id AS credit FROM ledger_transfers
     WHERE debit_account_id = $1 OR credit_account_id = $1 ORDER BY created_at, id`,
    [accountId],
  )) as { code: string; amount: string; debit: string; credit: string }[];
}

export async function voucherRow(
  t: TestApp,
  w: BulkWorld,
  serial: string,
): Promise<{ id: string; state: string; expires_at: Date }> {
  const [v] = (await t.ds.query(
    `SELECT id, state, expires_at FROM vouchers WHERE tenant_id = $1 AND serial = $2`,
    [w.tenantId, serial],
  )) as {
    id: string;
    state: string;
    expires_at: Date;
  }[];
  return v;
}

/** Value (minor units) of the group's vouchers still outstanding: what its liability account must hold. */
export async function outstandingValue(t: TestApp, w: VoucherWorld): Promise<bigint> {
  const [r] = (await t.ds.query(
    `SELECT COALESCE(sum(v.amount), 0)::text AS s FROM vouchers v JOIN voucher_groups g ON g.id = v.group_id
     WHERE g.tenant_id = $1 AND g.code = $2 AND v.state IN ('provisioned','preactivated','activated','suspended','blocked','redeeming')`,
    [w.tenantId, w.groupCode],
  )) as { s: string }[];
  return BigInt(r.s);
}

/** Polls until `check` returns something truthy. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The simulator's synchronous-transfer behaviour (`transferMode`). */
export type TransferMode = 'complete' | 'insufficient_funds' | 'pending' | 'no_answer';
export function setTransferMode(fsp: PayerFspSimulator, mode: TransferMode): void {
  fsp.configure({ transferMode: mode } as unknown as Parameters<PayerFspSimulator['configure']>[0]);
}

/** Registers the partner's public key for a building block. */
export async function registerPartnerKey(
  t: TestApp,
  w: BulkWorld,
  participantCode: string,
  key: KeyObject,
): Promise<void> {
  const res = await t
    .http()
    .put(`/voucher-keys/${participantCode}`)
    .set(as(w.operator))
    .send({ jwk: publicJwkOf(key, `kid-${participantCode}`) });
  if (res.status !== 200) throw new Error(`voucher key: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function serverKey(t: TestApp, w: BulkWorld): Promise<KeyObject> {
  const res = await t.http().get('/voucher-keys/server').set(as(w.source));
  if (res.status !== 200) throw new Error(`server key: ${res.status} ${JSON.stringify(res.body)}`);
  return publicKeyFromJwk(res.body);
}

export const openJwe = (compact: string, key: KeyObject): string =>
  decryptJwe(compact, key).plaintext.toString('utf8');
export const sealJwe = (payload: unknown, key: KeyObject): string =>
  encryptJwe(JSON.stringify(payload), key, { cty: 'application/json' });

/** Reads any body as text (supertest leaves unknown content types such as application/jose unread). */
export function asText(res: request.Response, cb: (err: Error | null, body: unknown) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  let data = '';
  stream.setEncoding('utf8');
  stream.on('data', (c: string) => (data += c));
  stream.on('end', () => cb(null, data));
}
