import { randomUUID } from 'node:crypto';
import { get as httpGet, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Response } from 'supertest';
import { BatchQueryRepository } from '../apps/payments-bb/src/bulk/query/batch-query.repository';
import { createParticipant, createTenant, TestParticipant } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/*
 * The bulk status and report API on fixture rows written with SQL (no pipeline involved): one tenant with
 * two source BBs, an operator and a payer FSP; batch A of source A with six instructions in every kind of
 * state, batch B of source B reusing A's BatchID, and a large batch for keyset paging of the CSV report.
 */

interface DetailItem {
  workflowInstanceKey: string | null;
  transactionId: string;
  startedAt: string;
  completedAt: string | null;
  status: string;
  statusDetail: string;
  payeeDfspId: string | null;
  payeePartyId: string | null;
  payeePartyIdType: string | null;
  payerDfspId: string;
  payerPartyId: string;
  payerPartyIdType: string;
  payeeFee: number;
  payerFee: number;
  amount: number | null;
  currency: string | null;
  direction: string;
  errorInformation: string | null;
  batchId: string;
  reasonCode: string | null;
  fspReference: string | null;
  duplicatePayee: boolean;
  occurrences?: number;
}

const errorCode = (res: Response) => (res.body as { error: { code: string } }).error.code;

/** Bytes that stand for a sealed financial address: they must never appear in any answer. */
const SECRET = 'SECRET-ADDR-255700000009';

describe('Bulk status and reports (/api/v1/batch/*)', () => {
  let t: TestApp;
  let tenantId: string;
  let sourceA: TestParticipant;
  let sourceB: TestParticipant;
  let operator: TestParticipant;
  let mediator: TestParticipant;
  let fsp: TestParticipant;
  let otherOperator: TestParticipant;
  let programId: string;
  const programCode = `Q${randomUUID().slice(0, 8)}`;
  const batchA = randomUUID();
  const batchB = randomUUID();
  const bigBatch = randomUUID();
  const subBatch = randomUUID();
  const BIG = 12_001;
  const EXT = 'BATCH-SHARED';

  const get = (p: TestParticipant, url: string) => t.http().get(url).set('X-API-Key', p.apiKey);

  const insertBatch = (
    id: string,
    source: TestParticipant,
    o: {
      ext: string | null;
      state: string;
      count: number;
      createdAt: string;
      ready?: string;
      completedAt?: string | null;
    },
  ) =>
    t.ds.query(
      `INSERT INTO batches (id, tenant_id, source_bb_id, program_id, origin, request_key, request_hash, request_id, external_batch_id,
                            currency, state, state_reason, instruction_count, ready_count, ready_amount, reserved_amount, posted_amount,
                            released_amount, maker_id, maker_kind, approved_by, approved_at, created_at, completed_at)
       VALUES ($1, $2, $3::uuid, $4, 'v1', $5, 'h', 'REQ000000001', $6, 'TZS', $7, NULL, $8, 2, $9, 350, 1050, 2000, $3::text, 'source_bb',
               $10, $11, $11, $12)`,
      [
        id,
        tenantId,
        source.id,
        programId,
        `batch:${id}`,
        o.ext,
        o.state,
        o.count,
        o.ready ?? '4550',
        operator.id,
        o.createdAt,
        o.completedAt ?? null,
      ],
    );

  beforeAll(async () => {
    t = await createTestApp();
    tenantId = await createTenant(t.ds);
    sourceA = await createParticipant(t, { tenantId, kind: 'source_bb' });
    sourceB = await createParticipant(t, { tenantId, kind: 'source_bb' });
    operator = await createParticipant(t, { tenantId, kind: 'operator' });
    mediator = await createParticipant(t, { tenantId, kind: 'information_mediator' });
    fsp = await createParticipant(t, { tenantId, kind: 'fsp' });
    const otherTenant = await createTenant(t.ds);
    otherOperator = await createParticipant(t, { tenantId: otherTenant, kind: 'operator' });

    const accounts = (await t.ds.query(
      `INSERT INTO ledger_accounts (tenant_id, code, name, currency, kind)
       VALUES ($1, $2, 'Funding', 'TZS', 'program_funding'), ($1, $3, 'Clearing', 'TZS', 'disbursement_clearing') RETURNING id`,
      [tenantId, `fund:${programCode}`, `clear:${programCode}`],
    )) as { id: string }[];
    [{ id: programId }] = (await t.ds.query(
      `INSERT INTO programs (tenant_id, code, name, currency, funding_account_id, settlement_account_id, payer_fsp_id, payer_identifier)
       VALUES ($1, $2, 'Cash transfers', 'TZS', $3, $4, $5, 'TZ-MOF-0001') RETURNING id`,
      [tenantId, programCode, accounts[0].id, accounts[1].id, fsp.id],
    )) as { id: string }[];

    await insertBatch(batchA, sourceA, {
      ext: EXT,
      state: 'settling',
      count: 6,
      createdAt: '2025-01-01T09:00:00Z',
    });
    await t.ds.query(
      `INSERT INTO sub_batches (id, tenant_id, batch_id, seq, rail, destination, currency, instruction_count, amount, state)
       VALUES ($1, $2, $3, 1, 'mobile_money', 'MPESA', 'TZS', 3, 4550, 'submitted')`,
      [subBatch, tenantId, batchA],
    );
    const ins = (seq: number, cols: Record<string, unknown>) => {
      const c = { tenant_id: tenantId, batch_id: batchA, seq, currency: 'TZS', ...cols };
      const keys = Object.keys(c);
      return t.ds.query(
        `INSERT INTO batch_instructions (${keys.join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})`,
        Object.values(c),
      );
    };
    await ins(1, {
      instruction_id: 'INSTR-A',
      payee_functional_id: 'FID-ALICE',
      amount: 1050,
      modality: '01',
      institution_code: 'MPESA',
      state: 'completed',
      sub_batch_id: subBatch,
      fsp_reference: 'FSPREF-1',
      finished_at: '2025-01-01T10:30:00Z',
    });
    await ins(2, {
      instruction_id: '-EVIL',
      payee_functional_id: '=HYPERLINK("x")',
      amount: 2000,
      modality: '01',
      institution_code: 'MPESA',
      state: 'failed',
      reason_code: 'AC04',
      reason: 'Account closed, "really"',
      sub_batch_id: subBatch,
      finished_at: '2025-01-01T10:31:00Z',
    });
    await ins(3, {
      instruction_id: 'INSTR-DIRECT',
      payee_functional_id: null,
      amount: 3000,
      modality: '01',
      institution_code: 'MPESA',
      fa_enc: Buffer.from(SECRET),
      fa_key_id: 'test-k1',
      state: 'accepted',
      sub_batch_id: subBatch,
    });
    await ins(4, {
      instruction_id: 'INSTR-EUR',
      payee_functional_id: 'FID-BOB',
      amount: null,
      currency: 'EUR',
      state: 'invalid',
      reason_code: 'AM03',
      reason: "Currency EUR is not the program's currency (TZS)",
      finished_at: '2025-01-01T09:00:01Z',
    });
    await ins(5, {
      instruction_id: 'INSTR-DUP-PAYEE',
      payee_functional_id: 'FID-CAROL',
      amount: 500,
      state: 'submitted',
      duplicate_payee: true,
    });
    await ins(6, {
      instruction_id: 'INSTR-A',
      payee_functional_id: 'FID-DAVE',
      amount: 700,
      state: 'invalid',
      reason_code: 'AM05',
      reason: 'Duplicate InstructionID in this batch',
      finished_at: '2025-01-01T09:00:01Z',
    });

    await insertBatch(batchB, sourceB, {
      ext: EXT,
      state: 'completed',
      count: 1,
      createdAt: '2025-01-02T09:00:00Z',
      completedAt: '2025-01-02T10:00:00Z',
      ready: '100',
    });
    await t.ds.query(
      `INSERT INTO batch_instructions (tenant_id, batch_id, seq, instruction_id, payee_functional_id, amount, currency, state, finished_at)
       VALUES ($1, $2, 1, 'B-ONLY', 'FID-EVE', 100, 'TZS', 'completed', now())`,
      [tenantId, batchB],
    );

    await insertBatch(bigBatch, sourceA, {
      ext: null,
      state: 'submitted',
      count: BIG,
      createdAt: '2025-01-03T09:00:00Z',
    });
    await t.ds.query(
      `INSERT INTO batch_instructions (tenant_id, batch_id, seq, instruction_id, payee_functional_id, amount, currency, state)
       SELECT $1, $2, g, 'L' || g, 'F' || g, g, 'TZS', CASE WHEN g % 2 = 0 THEN 'submitted' ELSE 'completed' END
       FROM generate_series(1, $3::int) g`,
      [tenantId, bigBatch, BIG],
    );
  });
  afterAll(() => t?.close());

  describe('summary', () => {
    it('gives the totals the final callback would, with exact decimals', async () => {
      const res = await get(sourceA, `/api/v1/batch/summary?batchId=${batchA}`).expect(200);
      expect(res.body).toEqual({
        batchId: batchA,
        externalBatchId: EXT,
        requestId: 'REQ000000001',
        programCode,
        status: 'settling',
        statusReason: null,
        currency: 'TZS',
        createdAt: '2025-01-01T09:00:00.000Z',
        approvedBy: operator.id,
        approvedAt: '2025-01-01T09:00:00.000Z',
        completedAt: null,
        TotalTransactions: 6,
        completed: 1,
        failed: 3,
        ongoing: 2,
        totalAmount: 72.5,
        completed_amount: 10.5,
        failed_amount: 27,
        ongoing_amount: 35,
        amounts: {
          total: '72.50',
          completed: '10.50',
          failed: '27.00',
          ongoing: '35.00',
          reserved: '3.50',
          posted: '10.50',
          released: '20.00',
        },
        byStatus: { PDNG: 1, ACCP: 1, ACSC: 1, RJCT: 3 },
        duplicatePayees: 1,
        subBatches: { total: 1, pending: 0, submitting: 0, submitted: 1, completed: 0, rejected: 0 },
        retryOf: null,
        result_file: `/api/v1/batch/report?batchId=${batchA}`,
      });
    });

    it('finds a batch by UUID in any case, and by the client BatchID within the source', async () => {
      await get(sourceA, `/api/v1/batch/summary?batchId=${batchA.toUpperCase()}`).expect(200);
      expect((await get(sourceA, `/api/v1/batch/summary?batchId=${EXT}`).expect(200)).body.batchId).toBe(
        batchA,
      );
      expect((await get(sourceB, `/api/v1/batch/summary?batchId=${EXT}`).expect(200)).body.batchId).toBe(
        batchB,
      );
    });

    it('answers 409 to an operator whose BatchID names batches of two sources', async () => {
      const res = await get(operator, `/api/v1/batch/summary?batchId=${EXT}`).expect(409);
      expect(errorCode(res)).toBe('CONFLICT');
      await get(operator, `/api/v1/batch/summary?batchId=${batchA}`).expect(200);
      await get(mediator, `/api/v1/batch/summary?batchId=${batchB}`).expect(200);
    });

    it('answers 404, never 403, for a batch the caller may not see', async () => {
      expect(errorCode(await get(sourceB, `/api/v1/batch/summary?batchId=${batchA}`).expect(404))).toBe(
        'NOT_FOUND',
      );
      await get(otherOperator, `/api/v1/batch/summary?batchId=${batchA}`).expect(404);
      await get(otherOperator, `/api/v1/batch/summary?batchId=${EXT}`).expect(404);
      await get(sourceA, `/api/v1/batch/summary?batchId=${randomUUID()}`).expect(404);
    });

    it('needs bulk:read and a batchId', async () => {
      await get(fsp, `/api/v1/batch/summary?batchId=${batchA}`).expect(403);
      await t.http().get(`/api/v1/batch/summary?batchId=${batchA}`).expect(401);
      expect(errorCode(await get(sourceA, '/api/v1/batch/summary').expect(400))).toBe('VALIDATION_FAILED');
      await get(sourceA, `/api/v1/batch/summary?batchId=${batchA}&bogus=1`).expect(400);
      await get(sourceA, `/api/v1/batch/summary?batchId=${batchA}&X-CorrelationID=abc`).expect(200);
    });
  });

  describe('detail', () => {
    const detail = async (p: TestParticipant, query: string) =>
      (await get(p, `/api/v1/batch/detail?batchId=${batchA}${query}`).expect(200)).body as DetailItem[];

    it('lists every instruction in order, shaped as BatchDetails.yml', async () => {
      const items = await detail(sourceA, '');
      expect(items.map((i) => i.transactionId)).toEqual([
        'INSTR-A',
        '-EVIL',
        'INSTR-DIRECT',
        'INSTR-EUR',
        'INSTR-DUP-PAYEE',
        'INSTR-A',
      ]);
      expect(items[0]).toEqual({
        workflowInstanceKey: subBatch,
        transactionId: 'INSTR-A',
        startedAt: '2025-01-01T09:00:00.000Z',
        completedAt: '2025-01-01T10:30:00.000Z',
        status: 'ACSC',
        statusDetail: 'completed',
        payeeDfspId: 'MPESA',
        payeePartyId: 'FID-ALICE',
        payeePartyIdType: 'FUNCTIONAL_ID',
        payeeFee: 0,
        payeeFeeCurrency: 'TZS',
        payerDfspId: fsp.code,
        payerPartyId: 'TZ-MOF-0001',
        payerPartyIdType: 'ACCOUNT',
        payerFee: 0,
        payerFeeCurrency: 'TZS',
        amount: 10.5,
        currency: 'TZS',
        direction: 'OUTGOING',
        errorInformation: null,
        batchId: batchA,
        reasonCode: null,
        fspReference: 'FSPREF-1',
        duplicatePayee: false,
      });
      expect(items[2]).toMatchObject({
        payeePartyId: null,
        payeePartyIdType: 'MSISDN',
        status: 'ACCP',
        amount: 30,
      });
      expect(items[3]).toMatchObject({ status: 'RJCT', amount: null, currency: 'EUR', reasonCode: 'AM03' });
      expect(items[3].errorInformation).toBe("AM03 Currency EUR is not the program's currency (TZS)");
      expect(items[4]).toMatchObject({ status: 'PDNG', statusDetail: 'submitted', duplicatePayee: true });
      expect(JSON.stringify(items)).not.toContain(SECRET);
    });

    it('pages by pageNo and pageSize', async () => {
      expect((await detail(sourceA, '&pageNo=1&pageSize=2')).map((i) => i.transactionId)).toEqual([
        'INSTR-DIRECT',
        'INSTR-EUR',
      ]);
      expect((await detail(sourceA, '&pageNo=2&pageSize=4')).map((i) => i.transactionId)).toEqual([]);
      expect((await detail(sourceA, '&pageSize=10000')).length).toBe(6);
    });

    it('filters by ISO status or internal state', async () => {
      expect((await detail(sourceA, '&status=RJCT')).map((i) => i.transactionId)).toEqual([
        '-EVIL',
        'INSTR-EUR',
        'INSTR-A',
      ]);
      expect((await detail(sourceA, '&status=accepted')).map((i) => i.transactionId)).toEqual([
        'INSTR-DIRECT',
      ]);
      expect((await detail(sourceA, '&status=ACSC,PDNG')).map((i) => i.transactionId)).toEqual([
        'INSTR-A',
        'INSTR-DUP-PAYEE',
      ]);
      expect((await detail(sourceA, '&status=RJCT&pageNo=1&pageSize=2')).map((i) => i.transactionId)).toEqual(
        ['INSTR-A'],
      );
      expect(await detail(sourceA, '&direction=INCOMING')).toEqual([]);
      expect((await detail(sourceA, '&direction=outgoing')).length).toBe(6);
    });

    it.each([
      'pageSize=0',
      'pageSize=10001',
      'pageSize=abc',
      'pageSize=1e3',
      'pageNo=-1',
      'status=DONE',
      'direction=UP',
      'pageSize=1&pageSize=2',
    ])('answers 400 to %s', async (q) => {
      const res = await get(sourceA, `/api/v1/batch/detail?batchId=${batchA}&${q}`).expect(400);
      expect(errorCode(res)).toBe('VALIDATION_FAILED');
    });

    it('hides other sources’ batches', async () => {
      await get(sourceB, `/api/v1/batch/detail?batchId=${batchA}`).expect(404);
    });

    it('pages a large batch', async () => {
      const res = await get(
        operator,
        `/api/v1/batch/detail?batchId=${bigBatch}&pageNo=2&pageSize=5000`,
      ).expect(200);
      const items = res.body as DetailItem[];
      expect(items).toHaveLength(BIG - 10_000);
      expect(items[0].transactionId).toBe('L10001');
    });
  });

  describe('instruction', () => {
    it('gives one instruction, the first of a duplicated ID with the count', async () => {
      const res = await get(
        sourceA,
        `/api/v1/batch/instruction?batchId=${batchA}&instructionId=INSTR-A`,
      ).expect(200);
      expect(res.body).toMatchObject({
        transactionId: 'INSTR-A',
        status: 'ACSC',
        payeePartyId: 'FID-ALICE',
        occurrences: 2,
      });
      const one = await get(
        operator,
        `/api/v1/batch/instruction?batchId=${batchA}&instructionId=-EVIL`,
      ).expect(200);
      expect(one.body).toMatchObject({ status: 'RJCT', errorInformation: 'AC04 Account closed, "really"' });
      expect(one.body).not.toHaveProperty('occurrences');
    });

    it('answers 404 for an unknown instruction or an unseen batch, 400 without instructionId', async () => {
      await get(sourceA, `/api/v1/batch/instruction?batchId=${batchA}&instructionId=NOPE`).expect(404);
      await get(sourceB, `/api/v1/batch/instruction?batchId=${batchA}&instructionId=INSTR-A`).expect(404);
      await get(sourceA, `/api/v1/batch/instruction?batchId=${batchA}`).expect(400);
    });
  });

  describe('report', () => {
    it('streams every instruction as CSV with exact amounts, escaping and neutralised formulas', async () => {
      const res = await get(sourceA, `/api/v1/batch/report?batchId=${EXT}`).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="batch-${batchA}.csv"`);
      const lines = res.text.split('\r\n');
      expect(lines.pop()).toBe('');
      expect(lines).toEqual([
        'instruction_id,payee_functional_id,amount,currency,status,iso_status,reason_code,reason,sub_batch_id,payee_fsp,fsp_reference,duplicate_payee,finished_at',
        `INSTR-A,FID-ALICE,10.50,TZS,completed,ACSC,,,${subBatch},MPESA,FSPREF-1,false,2025-01-01T10:30:00.000Z`,
        `'-EVIL,"'=HYPERLINK(""x"")",20.00,TZS,failed,RJCT,AC04,"Account closed, ""really""",${subBatch},MPESA,,false,2025-01-01T10:31:00.000Z`,
        `INSTR-DIRECT,,30.00,TZS,accepted,ACCP,,,${subBatch},MPESA,,false,`,
        `INSTR-EUR,FID-BOB,,EUR,invalid,RJCT,AM03,Currency EUR is not the program's currency (TZS),,,,false,2025-01-01T09:00:01.000Z`,
        'INSTR-DUP-PAYEE,FID-CAROL,5.00,TZS,submitted,PDNG,,,,,,true,',
        'INSTR-A,FID-DAVE,7.00,TZS,invalid,RJCT,AM05,Duplicate InstructionID in this batch,,,,false,2025-01-01T09:00:01.000Z',
      ]);
      expect(res.text).not.toContain(SECRET);
    });

    it('reads a large batch in keyset pages, each row once, in order', async () => {
      const res = await get(operator, `/api/v1/batch/report?batchId=${bigBatch}`).expect(200);
      const lines = res.text.split('\r\n').slice(1, -1);
      expect(lines).toHaveLength(BIG);
      expect(lines[0]).toBe('L1,F1,0.01,TZS,completed,ACSC,,,,,,false,');
      expect(lines[4999].split(',')[0]).toBe('L5000');
      expect(lines[5000].split(',')[0]).toBe('L5001');
      expect(lines[BIG - 1]).toBe(`L${BIG},F${BIG},120.01,TZS,completed,ACSC,,,,,,false,`);
      expect(new Set(lines.map((l) => l.split(',')[0])).size).toBe(BIG);
    });

    it('stops reading pages while a client does not read, and when it goes away', async () => {
      const huge = randomUUID();
      const HUGE = 200_000;
      await insertBatch(huge, sourceA, {
        ext: null,
        state: 'submitted',
        count: HUGE,
        createdAt: '2024-12-01T09:00:00Z',
      });
      await t.ds.query(
        `INSERT INTO batch_instructions (tenant_id, batch_id, seq, instruction_id, payee_functional_id, amount, currency, state, reason)
         SELECT $1, $2, g, 'H' || g, 'F' || g, g, 'TZS', 'submitted', repeat('r', 150) FROM generate_series(1, $3::int) g`,
        [tenantId, huge, HUGE],
      );
      const pages = jest.spyOn(t.app.get(BatchQueryRepository), 'instructionsAfter');
      const server = t.app.getHttpServer() as Server;
      if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      const res = await new Promise<IncomingMessage>((resolve, reject) =>
        httpGet(
          {
            port,
            host: '127.0.0.1',
            path: `/api/v1/batch/report?batchId=${huge}`,
            headers: { 'X-API-Key': sourceA.apiKey },
          },
          resolve,
        ).on('error', reject),
      );
      expect(res.statusCode).toBe(200);
      res.pause();
      // 200,000 rows of ~210 bytes are 40 pages (~40 MB); a client that does not read holds the server at the few
      // pages the socket buffers take.
      await new Promise((r) => setTimeout(r, 1000));
      const whilePaused = pages.mock.calls.length;
      expect(whilePaused).toBeLessThan(20);
      res.destroy();
      await new Promise((r) => setTimeout(r, 500));
      expect(pages.mock.calls.length).toBeLessThanOrEqual(whilePaused + 1);
      pages.mockRestore();
      await get(sourceA, `/api/v1/batch/summary?batchId=${huge}`).expect(200);
      // Out of the way of the list tests.
      await t.ds.query(`DELETE FROM batch_instructions WHERE batch_id = $1`, [huge]);
      await t.ds.query(`DELETE FROM batches WHERE id = $1`, [huge]);
    });

    it('answers errors before the first byte as JSON', async () => {
      const res = await get(sourceB, `/api/v1/batch/report?batchId=${batchA}`).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(errorCode(await get(operator, `/api/v1/batch/report?batchId=${EXT}`).expect(409))).toBe(
        'CONFLICT',
      );
    });
  });

  describe('list', () => {
    interface ListBody {
      items: {
        batchId: string;
        sourceBbId: string;
        status: string;
        readyAmount: string;
        programCode: string;
        instructionCount: number;
      }[];
      limit: number;
      offset: number;
    }
    const list = async (p: TestParticipant, q = '') =>
      (await get(p, `/api/v1/batches${q}`).expect(200)).body as ListBody;

    it('lists the tenant’s batches newest first for an operator', async () => {
      const body = await list(operator);
      expect(body.items.map((b) => b.batchId)).toEqual([bigBatch, batchB, batchA]);
      expect(body).toMatchObject({ limit: 50, offset: 0 });
      expect(body.items[2]).toMatchObject({
        batchId: batchA,
        externalBatchId: EXT,
        sourceBbId: sourceA.id,
        programCode,
        status: 'settling',
        statusReason: null,
        instructionCount: 6,
        currency: 'TZS',
        readyAmount: '45.50',
        createdAt: '2025-01-01T09:00:00.000Z',
        completedAt: null,
      });
    });

    it('shows a source BB only its own batches', async () => {
      expect((await list(sourceA)).items.map((b) => b.batchId)).toEqual([bigBatch, batchA]);
      expect((await list(sourceB)).items.map((b) => b.batchId)).toEqual([batchB]);
      expect((await list(otherOperator)).items).toEqual([]);
    });

    it('filters by state and program, and pages', async () => {
      expect((await list(operator, '?state=completed')).items.map((b) => b.batchId)).toEqual([batchB]);
      expect(
        (await list(operator, `?programCode=${programCode}&limit=1&offset=1`)).items.map((b) => b.batchId),
      ).toEqual([batchB]);
      expect((await list(operator, '?programCode=NONE')).items).toEqual([]);
      for (const q of ['?limit=501', '?limit=0', '?offset=-1', '?state=done', '?programCode=a%20b'])
        expect(errorCode(await get(operator, `/api/v1/batches${q}`).expect(400))).toBe('VALIDATION_FAILED');
    });
  });
});
