import request from 'supertest';
import { createParticipant, createTenant, functionalId, id12, TestParticipant } from './factories';
import { TestApp } from './test-app';

/** Everything a bulk test needs: a tenant with a source BB, two operators, a payer FSP, a funded program. */
export interface BulkWorld {
  tenantId: string;
  source: TestParticipant;
  operator: TestParticipant;
  checker: TestParticipant;
  fsp: TestParticipant;
  programCode: string;
  fundingAccountId: string;
  settlementAccountId: string;
}

export interface BulkWorldOptions {
  fspUrl: string;
  callbackBase?: string;
  currency?: string;
  requiresApproval?: boolean;
  subBatchSize?: number;
  maxInFlight?: number;
  /** Decimal string; nothing when omitted. */
  funding?: string;
}

export const as = (p: TestParticipant) => ({ 'X-API-Key': p.apiKey, 'Platform-TenantId': p.tenantId });

export async function createBulkWorld(t: TestApp, o: BulkWorldOptions): Promise<BulkWorld> {
  const tenantId = await createTenant(t.ds);
  const bases = o.callbackBase ? [o.callbackBase] : [];
  const source = await createParticipant(t, { tenantId, kind: 'source_bb', callbackBases: bases });
  const operator = await createParticipant(t, { tenantId, kind: 'operator' });
  const checker = await createParticipant(t, { tenantId, kind: 'operator' });
  const fsp = await createParticipant(t, { tenantId, kind: 'fsp', callbackBases: [o.fspUrl] });
  const programCode = `P${id12().slice(0, 8)}`;
  const created = await t
    .http()
    .post('/programs')
    .set(as(operator))
    .send({
      code: programCode,
      name: 'Test programme',
      currency: o.currency ?? 'TZS',
      payerFspCode: fsp.code,
      payerIdentifier: 'TZ-MOF-0001',
      requiresApproval: o.requiresApproval ?? false,
      subBatchSize: o.subBatchSize ?? 2,
      maxInFlight: o.maxInFlight ?? 4,
    });
  if (created.status !== 201) throw new Error(`program: ${created.status} ${JSON.stringify(created.body)}`);
  const put = await t.http().put(`/fsp-connectors/${fsp.code}`).set(as(operator)).send({ baseUrl: o.fspUrl, timeoutMs: 2000 });
  if (put.status !== 200) throw new Error(`connector: ${put.status} ${JSON.stringify(put.body)}`);
  const world: BulkWorld = {
    tenantId,
    source,
    operator,
    checker,
    fsp,
    programCode,
    fundingAccountId: created.body.fundingAccountId,
    settlementAccountId: created.body.settlementAccountId,
  };
  if (o.funding) await fund(t, world, o.funding, o.currency ?? 'TZS');
  return world;
}

export async function fund(t: TestApp, w: BulkWorld, amount: string, currency = 'TZS'): Promise<void> {
  const res = await t
    .http()
    .post(`/ledger/accounts/${w.fundingAccountId}/fund`)
    .set(as(w.operator))
    .send({ amount, currency, reference: `budget-${id12()}` });
  if (res.status !== 201 && res.status !== 200) throw new Error(`fund: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Registers payees in the account mapper through the v1 API; returns their functional IDs. */
export async function registerPayees(t: TestApp, w: BulkWorld, addresses: { modality: string; address: string; institution?: string }[]): Promise<string[]> {
  const ids = addresses.map(() => functionalId());
  const res = await t
    .http()
    .post('/register-beneficiary')
    .set(as(w.source))
    .send({
      RequestID: id12('R'),
      SourceBBID: w.source.code,
      Beneficiaries: addresses.map((a, i) => ({
        PayeeFunctionalID: ids[i],
        PaymentModality: a.modality,
        FinancialAddress: a.address,
        ...(a.institution ? { BankingInstitutionCode: a.institution } : {}),
      })),
    });
  if (res.status !== 200 || res.body.ResponseCode !== '00') throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return ids;
}

let counter = 0;
/** A 16-character InstructionID, unique across the run. */
export const instructionId = () => `I${Date.now().toString(36)}${(counter++).toString(36).padStart(4, '0')}${Math.random().toString(36).slice(2)}`.slice(0, 16).padEnd(16, '0');

export function v1Batch(w: BulkWorld, items: { payee: string; amount: number | string; currency?: string; id?: string }[], batchId = id12('B')) {
  return {
    RequestID: id12('R'),
    SourceBBID: w.source.code,
    BatchID: batchId,
    CreditInstructions: items.map((i) => ({
      InstructionID: i.id ?? instructionId(),
      PayeeFunctionalID: i.payee,
      Amount: i.amount,
      Currency: i.currency ?? 'TZS',
      Narration: 'Benefit',
    })),
  };
}

export async function summary(t: TestApp, w: BulkWorld, batchId: string): Promise<request.Response> {
  return t.http().get(`/api/v1/batch/summary?batchId=${batchId}`).set(as(w.operator));
}

/** Polls the batch row until `until` holds (the pipeline runs in the app's own workers). */
export async function waitForBatch(
  t: TestApp,
  batchId: string,
  until: (b: { state: string; state_reason: string | null }) => boolean,
  timeoutMs = 20_000,
): Promise<{ state: string; state_reason: string | null; reserved_amount: string; posted_amount: string; released_amount: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [b] = (await t.ds.query(`SELECT state, state_reason, reserved_amount, posted_amount, released_amount FROM batches WHERE id = $1`, [batchId])) as {
      state: string;
      state_reason: string | null;
      reserved_amount: string;
      posted_amount: string;
      released_amount: string;
    }[];
    if (b && until(b)) return b;
    if (Date.now() > deadline) throw new Error(`Batch ${batchId} did not get there in time; last state ${b?.state} (${b?.state_reason})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function accountBalances(t: TestApp, accountId: string) {
  const [a] = (await t.ds.query(
    `SELECT debits_pending::text, debits_posted::text, credits_pending::text, credits_posted::text FROM ledger_accounts WHERE id = $1`,
    [accountId],
  )) as { debits_pending: string; debits_posted: string; credits_pending: string; credits_posted: string }[];
  return a;
}

/** Batch states after which nothing changes any more. */
export const FINAL_BATCH_STATES = ['completed', 'partially_completed', 'failed', 'cancelled'];

/** A mobile-money address no other test uses (the payer FSP simulator keeps accounts by address). */
export const uniqueMsisdn = () => `+2557${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}`;

export interface BatchRowView {
  id: string;
  state: string;
  state_reason: string | null;
  origin: string;
  retry_of: string | null;
  instruction_count: number;
  ready_count: number;
  ready_amount: string;
  reservation_id: string | null;
  reserved_amount: string;
  posted_amount: string;
  released_amount: string;
  attempts: number;
  maker_id: string;
  approved_by: string | null;
  execute_at: Date | null;
  final_delivery_id: string | null;
}

export async function batchRow(t: TestApp, batchId: string): Promise<BatchRowView> {
  const [b] = (await t.ds.query(`SELECT * FROM batches WHERE id = $1`, [batchId])) as BatchRowView[];
  return b;
}

/** Every batch of the world's tenant, oldest first. */
export async function tenantBatches(t: TestApp, w: BulkWorld): Promise<BatchRowView[]> {
  return (await t.ds.query(`SELECT * FROM batches WHERE tenant_id = $1 ORDER BY created_at, id`, [w.tenantId])) as BatchRowView[];
}

export interface InstructionRowView {
  seq: number;
  instruction_id: string;
  payee_functional_id: string | null;
  amount: string | null;
  state: string;
  reason_code: string | null;
  reason: string | null;
  duplicate_payee: boolean;
  sub_batch_id: string | null;
}

export async function instructionRows(t: TestApp, batchId: string): Promise<InstructionRowView[]> {
  return (await t.ds.query(
    `SELECT seq, instruction_id, payee_functional_id, amount::text AS amount, state, reason_code, reason, duplicate_payee, sub_batch_id
     FROM batch_instructions WHERE batch_id = $1 ORDER BY seq`,
    [batchId],
  )) as InstructionRowView[];
}

/** Waits until the batch is in a final state and returns its row. */
export async function waitForFinal(t: TestApp, batchId: string, timeoutMs = 20_000): Promise<BatchRowView> {
  await waitForBatch(t, batchId, (b) => FINAL_BATCH_STATES.includes(b.state), timeoutMs);
  return batchRow(t, batchId);
}

/** A v3 /batchtransactions item; `party` is the creditParty list. */
export function v3Item(party: { key: string; value: string }[], amount: string | number, opts: { id?: string; currency?: string } = {}) {
  return {
    requestId: opts.id ?? instructionId(),
    creditParty: party,
    debitParty: [{ key: 'accountNumber', value: 'TZ-MOF-0001' }],
    paymentMode: 'transfer',
    amount,
    currency: opts.currency ?? 'TZS',
    descriptionText: 'Benefit',
  };
}
