import { readFileSync } from 'node:fs';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { startCallbackReceiver, CallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { startPayerFsp, PayerFspSimulator } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { browserAvailable, ensureConsoleBuilt, launchChromium, screenshot } from './support/browser';
import { as, instructionId, registerPayees, v1Batch, waitForFinal } from './support/bulk-fixtures';
import { createOperator, TestOperator } from './support/console-fixtures';
import { id12 } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';
import { activeVoucher, createVoucherWorld, eventually, VoucherWorld } from './support/voucher-fixtures';

/**
 * The console in real headless Chromium (Debian's, driven by playwright-core) against the real server and the
 * payer FSP and callback simulators: what operators do with it, click by click. Screenshots of the main pages
 * land in test-artifacts/console/.
 */
const run = browserAvailable() ? describe : describe.skip;

run('Operator console in a browser', () => {
  let t: TestApp;
  let fsp: PayerFspSimulator;
  let sink: CallbackReceiver;
  let browser: Browser;
  let base: string;
  let w: VoucherWorld;
  let approvalProgram: string;
  const ops = {} as Record<'admin' | 'maker' | 'checker' | 'viewer', TestOperator>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    fsp = await startPayerFsp({ port: 0 });
    sink = await startCallbackReceiver({ port: 0 });
    t = await createTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      BULK_SWEEP_INTERVAL_MS: '300',
      CALLBACK_MAX_ATTEMPTS: '1',
      CALLBACK_ALLOW_PRIVATE_TARGETS: 'true',
    });
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    t.config.env.PUBLIC_BASE_URL = base;
    w = await createVoucherWorld(t, fsp, { callbackBase: sink.url, funding: '5000.00' });
    // A second programme of the same tenant whose batches need a checker's approval.
    approvalProgram = `A${id12().slice(0, 8)}`;
    const created = await t
      .http()
      .post('/programs')
      .set(as(w.operator))
      .send({ code: approvalProgram, name: 'Approved payroll', currency: 'TZS', payerFspCode: w.fsp.code, payerIdentifier: 'TZ-MOF-0002', requiresApproval: true, subBatchSize: 2 });
    expect(created.status).toBe(201);
    await t
      .http()
      .post(`/ledger/accounts/${created.body.fundingAccountId}/fund`)
      .set(as(w.operator))
      .send({ amount: '1000.00', currency: 'TZS', reference: `budget-${id12()}` })
      .expect((r) => expect([200, 201]).toContain(r.status));
    for (const role of ['admin', 'maker', 'checker', 'viewer'] as const) ops[role] = await createOperator(t, w.tenantId, role);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fsp?.close();
    await sink?.close();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  /** A fresh browser profile, logged in through the login form. */
  async function loginAs(o: TestOperator, viewport = { width: 1366, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${base}/console/`);
    await page.getByTestId('login-username').fill(o.username);
    await page.getByTestId('login-password').fill(o.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('operator-name').waitFor();
    return page;
  }

  const go = (page: Page, route: string) => page.goto(`${base}/console/#${route}`);

  it('refuses a wrong password on the login page and lets the operator in with the right one', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    await page.getByTestId('login-form').waitFor();
    await screenshot(page, '00-login');
    await page.getByTestId('login-username').fill(ops.viewer.username);
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await expectText(page.getByTestId('error-banner'), /wrong username or password/i);
    await page.getByTestId('login-password').fill(ops.viewer.password);
    await page.getByTestId('login-submit').click();
    await expectText(page.getByTestId('operator-name'), new RegExp(ops.viewer.username.slice(0, 6)));
    // The session cookie cannot be read by the page's scripts.
    expect(await page.evaluate(() => document.cookie)).not.toContain('pbb_console');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'pbb_console')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('a maker uploads a batch, cannot approve it; a checker approves it and watches it run to completion', async () => {
    const payees = await registerPayees(t, w, [
      { modality: '01', address: '+255712345601' },
      { modality: '01', address: '+255712345602' },
      { modality: '01', address: '+255712345603' },
    ]);
    const ids = payees.map(() => instructionId());
    const csv = ['instruction_id,payee_functional_id,amount,currency,narration', ...payees.map((p, i) => `${ids[i]},${p},${i + 1}0.00,TZS,December`)].join('\n');

    const maker = await loginAs(ops.maker);
    await go(maker, '/batches/new');
    await maker.getByTestId('batch-program').selectOption(approvalProgram);
    await maker.getByTestId('batch-source').selectOption(w.source.code);
    await maker.getByTestId('batch-file').setInputFiles({ name: 'december.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await screenshot(maker, '10-new-batch');
    await maker.getByTestId('batch-submit').click();
    await maker.getByTestId('confirm-dialog').waitFor();
    await maker.getByTestId('confirm-button').click();
    const batchId = await eventually(async () => /#\/batches\/([0-9a-f-]{36})$/.exec(maker.url())?.[1], 'the new batch page');
    await maker.locator('[data-testid=batch-status][data-status=awaiting_approval]').waitFor({ timeout: 20_000 });
    expect(await maker.getByTestId('approve-button').count()).toBe(0);
    await screenshot(maker, '11-batch-awaiting-approval');

    const checker = await loginAs(ops.checker);
    await go(checker, '/batches');
    await checker.getByTestId(`batch-row-${batchId}`).click();
    await checker.getByTestId('approve-button').click();
    await checker.getByTestId('confirm-dialog').waitFor();
    await checker.getByTestId('confirm-button').click();
    // The page follows the batch without a reload until it is done.
    await checker.locator('[data-testid=batch-status][data-status=completed]').waitFor({ timeout: 30_000 });
    await expectAttr(checker.getByTestId('batch-progress'), 'aria-valuenow', '100');
    await screenshot(checker, '12-batch-completed');
    await go(checker, '/batches');
    await checker.getByTestId(`batch-row-${batchId}`).waitFor();
    await screenshot(checker, '13-batches');

    const row = (await t.ds.query(`SELECT state, maker_id, approved_by FROM batches WHERE id = $1`, [batchId]))[0];
    expect(row).toEqual({ state: 'completed', maker_id: `user:${ops.maker.username}`, approved_by: `user:${ops.checker.username}` });
  });

  it('downloads a batch report as CSV', async () => {
    const payees = await registerPayees(t, w, [{ modality: '01', address: '+255712345604' }]);
    const body = v1Batch(w, [{ payee: payees[0], amount: '7.25' }]);
    await t.http().post('/bulk-payment').set(as(w.source)).set('X-Program-Id', w.programCode).send(body).expect(200);
    const [{ id }] = await t.ds.query(`SELECT id FROM batches WHERE tenant_id = $1 AND external_batch_id = $2`, [w.tenantId, body.BatchID]);
    expect((await waitForFinal(t, id)).state).toBe('completed');

    const page = await loginAs(ops.viewer);
    await go(page, `/batches/${id}`);
    await page.locator('[data-testid=batch-status][data-status=completed]').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-link').click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(body.CreditInstructions[0].InstructionID);
    expect(lines[1]).toContain('7.25');
  });

  it('a viewer sees batches but no button that changes anything', async () => {
    const page = await loginAs(ops.viewer);
    const [{ id }] = await t.ds.query(`SELECT id FROM batches WHERE tenant_id = $1 AND state = 'completed' LIMIT 1`, [w.tenantId]);
    await go(page, `/batches/${id}`);
    await page.getByTestId('batch-status').waitFor();
    for (const b of ['approve-button', 'reject-button', 'cancel-button', 'retry-button']) expect(await page.getByTestId(b).count()).toBe(0);
    expect(await page.getByTestId('nav-operators').count()).toBe(0);

    // A payee's bank account shows masked: a support desk can recognise it, not pay to it.
    const [fid] = await registerPayees(t, w, [{ modality: '00', address: 'NL87ABNA4193835510', institution: 'ABNANL2A' }]);
    await go(page, '/mapper');
    await page.getByTestId('mapper-id-input').fill(fid);
    await page.getByTestId('mapper-lookup-button').click();
    await expectText(page.getByTestId('mapper-address'), /^NL87\*+5510$/);
    expect(await page.content()).not.toContain('NL87ABNA4193835510');
    await screenshot(page, '50-mapper-masked');
  });

  it('cancels a voucher: its value goes back to the programme', async () => {
    const v = await activeVoucher(t, w);
    const page = await loginAs(ops.maker);
    await go(page, '/vouchers');
    await page.getByTestId(`voucher-group-${w.groupCode}`).waitFor();
    await screenshot(page, '20-vouchers');
    await page.getByTestId('voucher-serial-input').fill(v.voucher_serial_number);
    await page.getByTestId('voucher-lookup-button').click();
    await page.locator('[data-testid=voucher-status][data-status=activated]').waitFor();
    await page.getByTestId('voucher-cancel-button').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-button').click();
    await page.locator('[data-testid=voucher-status][data-status=cancelled]').waitFor();
    await screenshot(page, '21-voucher-cancelled');
    const audit = await t.ds.query(`SELECT actor_id FROM audit_log WHERE tenant_id = $1 AND action LIKE 'voucher%cancel%'`, [w.tenantId]);
    expect(audit.map((a: { actor_id: string }) => a.actor_id)).toContain(`user:${ops.maker.username}`);
  });

  it('re-sends a callback that failed, and the receiver gets it', async () => {
    sink.setDown(true);
    const payees = await registerPayees(t, w, [{ modality: '01', address: '+255712345605' }]);
    const body = v1Batch(w, [{ payee: payees[0], amount: '3.00' }]);
    const path = `/console-${id12()}`;
    await t.http().post('/bulk-payment').set(as(w.source)).set('X-Program-Id', w.programCode).set('X-Callback-URL', `${sink.url}${path}`).send(body).expect(200);
    const delivery = await eventually(async () => {
      const rows = await t.ds.query(`SELECT id, status FROM callback_deliveries WHERE tenant_id = $1 AND url LIKE $2`, [w.tenantId, `%${path}`]);
      return rows[0]?.status === 'failed' ? (rows[0].id as string) : undefined;
    }, 'the final callback to fail', 30_000);
    sink.setDown(false);

    const page = await loginAs(ops.maker);
    await go(page, '/callbacks');
    await page.getByTestId(`delivery-row-${delivery}`).click();
    await page.getByTestId('delivery-last-error').waitFor();
    await screenshot(page, '30-callback-failed');
    await page.getByTestId('resend-button').click();
    await page.getByTestId('confirm-button').click();
    await eventually(async () => sink.received.some((r) => r.path === path && r.status === 200), 'the re-sent callback', 20_000);
    await page.reload();
    await page.locator('[data-testid=delivery-status][data-status=delivered]').waitFor();
    await screenshot(page, '31-callback-resent');
  });

  it('shows the main pages on a laptop and on a tablet (screenshots)', async () => {
    for (const [size, viewport] of [
      ['laptop', { width: 1366, height: 900 }],
      ['tablet', { width: 768, height: 1024 }],
    ] as const) {
      const page = await loginAs(ops.admin, viewport);
      for (const [name, route, ready] of [
        ['overview', '/', 'stat-awaiting-approval'],
        ['batches', '/batches', 'batches-table'],
        ['reports', '/reports', 'reports-by-program'],
        ['vouchers', '/vouchers', `voucher-group-${w.groupCode}`],
        ['bills', '/bills', 'tab-billers'],
        ['callbacks', '/callbacks', 'deliveries-table'],
        ['ledger', '/ledger', 'tab-balances'],
        ['audit', '/audit', 'audit-table'],
        ['mapper', '/mapper', 'mapper-id-input'],
        ['operators', '/operators', 'operators-table'],
      ] as const) {
        await go(page, route);
        await page.getByTestId(ready).first().waitFor();
        await screenshot(page, `40-${size}-${name}`);
      }
      // Nothing on a page is wider than the screen: tables scroll inside their own box.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    }
  });
});

async function expectText(locator: ReturnType<Page['getByTestId']>, pattern: RegExp): Promise<void> {
  await locator.first().waitFor();
  await eventually(async () => pattern.test((await locator.first().textContent()) ?? ''), `text ${pattern}`, 5_000);
}

async function expectAttr(locator: ReturnType<Page['getByTestId']>, name: string, value: string): Promise<void> {
  await eventually(async () => (await locator.getAttribute(name)) === value, `${name}=${value}`, 10_000);
}
