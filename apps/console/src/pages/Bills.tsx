import { useState, type FormEvent } from 'react';
import { api, qs, seg } from '../api';
import { useAction, useGet } from '../hooks';
import { setQuery, useRoute } from '../router';
import { SCOPE, useSession } from '../session';
import type { Advice, BillLookupAnswer, BillPaymentView, Biller, Credentials, PayerFi } from '../types';
import { Async, Banner, Card, Empty, ErrorBanner, Facts, GenericTable, PageHeader, Secret, StatusBadge, TableWrap, useConfirm, useToast } from '../ui';
import { dateTime, humanize, money, plural } from '../format';

const TABS = [
  ['billers', 'Billers'],
  ['payer-fis', 'Payer FIs'],
  ['bill', 'Bill look-up'],
  ['advices', 'Advice queue'],
  ['reports', 'Settlement & reconciliation'],
] as const;

export function BillsPage() {
  const route = useRoute();
  const tab = route.query.get('tab') ?? 'billers';
  return (
    <div className="page">
      <PageHeader title="Bills & billers" sub="P2G bill payments: the biller registry, payer FIs, advices to billers and the daily reports." />
      <div className="tabs" role="tablist">
        {TABS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={tab === id}
            className={`tab ${tab === id ? 'active' : ''}`}
            onClick={() => setQuery(route, { tab: id, status: undefined }, false)}
            data-testid={`tab-${id}`}
          >
            {label}
          </button>
        ))}
      </div>
      {tab === 'billers' && <Billers />}
      {tab === 'payer-fis' && <PayerFis />}
      {tab === 'bill' && <BillLookup />}
      {tab === 'advices' && <Advices />}
      {tab === 'reports' && <Reports />}
    </div>
  );
}

function CredentialsOnce({ who, credentials, onDone }: { who: string; credentials: Credentials; onDone: () => void }) {
  return (
    <div className="banner banner-warn banner-big" role="alert" data-testid="credentials-once">
      <div className="banner-body">
        <p>
          <strong>Credentials of {who}: shown this once.</strong> Copy them now and hand them over through a secure channel. The server keeps only hashes and
          cannot show them again; lost credentials must be rotated.
        </p>
        <Secret label="API key" value={credentials.apiKey} />
        <Secret label="Client ID" value={credentials.clientId} />
        <Secret label="Client secret" value={credentials.clientSecret} />
        <Secret label="Callback signing secret" value={credentials.callbackSecret} />
        <button type="button" className="btn" onClick={onDone} data-testid="credentials-done">
          I have stored them
        </button>
      </div>
    </div>
  );
}

function Billers() {
  const route = useRoute();
  const status = route.query.get('status') ?? '';
  const billers = useGet<Biller[]>('/p2g/billers', { status });
  const { can } = useSession();
  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();
  const [showForm, setShowForm] = useState(false);
  const [issued, setIssued] = useState<{ billerId: string; credentials: Credentials } | null>(null);

  const decide = async (b: Biller, verb: 'approve' | 'reject') => {
    const ok = await confirm({
      title: verb === 'approve' ? `Approve ${b.name}?` : `Reject ${b.name}?`,
      message:
        verb === 'approve' ? (
          <p>
            {b.billerId} (prefix {b.prefix}) becomes payable: payer FIs can inquire and pay its bills, and payments are settled to {b.settlementAccount.bankCode}{' '}
            {b.settlementAccount.accountNumber}. You cannot approve an onboarding you made.
          </p>
        ) : (
          <p>The onboarding of {b.billerId} is refused; the biller cannot be paid.</p>
        ),
      confirmLabel: verb === 'approve' ? 'Approve biller' : 'Reject biller',
      danger: verb === 'reject',
      reason: { label: 'Reason', maxLength: 500 },
    });
    if (!ok) return;
    const r = await action.run(() => api.post<Biller>(`/p2g/billers/${seg(b.billerId)}/${verb}`, ok.reason ? { reason: ok.reason } : {}));
    if (r) {
      toast(`${b.billerId} ${verb === 'approve' ? 'approved' : 'rejected'}.`);
      billers.reload();
    }
  };

  return (
    <>
      {issued && <CredentialsOnce who={issued.billerId} credentials={issued.credentials} onDone={() => setIssued(null)} />}
      <ErrorBanner error={action.error} onClose={action.clear} />
      <Card
        title="Biller registry"
        actions={
          <>
            <select value={status} onChange={(e) => setQuery(route, { status: e.target.value })} aria-label="Status" data-testid="filter-biller-status">
              <option value="">Any status</option>
              {['pending_approval', 'active', 'suspended', 'rejected'].map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
            <button type="button" className="btn btn-small" onClick={billers.reload}>
              Refresh
            </button>
            {can(SCOPE.billersAdmin) && (
              <button type="button" className="btn btn-small btn-primary" onClick={() => setShowForm((s) => !s)} data-testid="onboard-toggle">
                {showForm ? 'Close form' : 'Onboard a biller'}
              </button>
            )}
          </>
        }
      >
        {showForm && (
          <OnboardForm
            onDone={(r) => {
              setShowForm(false);
              setIssued({ billerId: r.biller.billerId, credentials: r.credentials });
              billers.reload();
            }}
          />
        )}
        <Async state={billers} isEmpty={(d) => d.length === 0} empty="No biller.">
          {(list) => (
            <TableWrap label="Billers">
              <table data-testid="billers-table">
                <thead>
                  <tr>
                    <th>Biller</th>
                    <th>Prefix</th>
                    <th>Kind</th>
                    <th>Status</th>
                    <th>Currencies</th>
                    <th>Settles to</th>
                    <th>Amount rule</th>
                    <th>Onboarded by</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {list.map((b) => (
                    <tr key={b.billerId} data-testid={`biller-row-${b.billerId}`}>
                      <td>
                        <strong>{b.name}</strong>
                        <div className="small muted">
                          {b.billerId} · {b.shortName}
                        </div>
                      </td>
                      <td>
                        <code>{b.prefix}</code>
                      </td>
                      <td>{b.kind}</td>
                      <td>
                        <StatusBadge status={b.status} />
                        {b.decisionReason && <div className="small muted">{b.decisionReason}</div>}
                      </td>
                      <td>{b.currencies.join(', ')}</td>
                      <td>
                        {b.settlementAccount.bankCode} {b.settlementAccount.accountNumber}
                      </td>
                      <td>{b.rules.amountExactness}</td>
                      <td>
                        {b.createdBy}
                        <div className="small muted">{dateTime(b.createdAt)}</div>
                      </td>
                      <td className="row-actions">
                        {b.status === 'pending_approval' && can(...SCOPE.billersApprove) && (
                          <>
                            <button type="button" className="btn btn-small btn-primary" disabled={action.busy} onClick={() => void decide(b, 'approve')} data-testid="biller-approve-button">
                              Approve
                            </button>
                            <button type="button" className="btn btn-small btn-danger" disabled={action.busy} onClick={() => void decide(b, 'reject')} data-testid="biller-reject-button">
                              Reject
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </Async>
      </Card>
    </>
  );
}

function OnboardForm({ onDone }: { onDone: (r: { biller: Biller; credentials: Credentials }) => void }) {
  const [f, setF] = useState({
    name: '',
    shortName: '',
    kind: 'biller',
    baseUrl: '',
    currencies: '',
    bankCode: '',
    accountNumber: '',
    accountName: '',
    amountExactness: 'EXACT',
    partialPayment: false,
    minAmount: '',
    timeoutMs: '',
    authHeaderName: '',
    authHeaderValue: '',
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((o) => ({ ...o, [k]: e.target.value }));
  const action = useAction();
  const confirm = useConfirm();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await confirm({
      title: `Onboard ${f.name}?`,
      message: <p>A biller ID and bill-ID prefix are allocated and an API client is created for it. Its credentials are shown once, next.</p>,
      confirmLabel: 'Onboard',
    });
    if (!ok) return;
    const body: Record<string, unknown> = {
      name: f.name.trim(),
      kind: f.kind,
      baseUrl: f.baseUrl.trim(),
      currencies: f.currencies
        .split(/[\s,]+/)
        .map((c) => c.trim().toUpperCase())
        .filter(Boolean),
      settlementAccount: {
        bankCode: f.bankCode.trim(),
        accountNumber: f.accountNumber.trim(),
        ...(f.accountName.trim() ? { accountName: f.accountName.trim() } : {}),
      },
      rules: {
        amountExactness: f.amountExactness,
        partialPayment: f.partialPayment,
        ...(f.minAmount.trim() ? { minAmount: f.minAmount.trim() } : {}),
      },
    };
    if (f.shortName.trim()) body.shortName = f.shortName.trim();
    if (f.timeoutMs.trim()) body.timeoutMs = Number(f.timeoutMs);
    if (f.authHeaderName.trim()) body.auth = { headerName: f.authHeaderName.trim(), headerValue: f.authHeaderValue };
    const r = await action.run(() => api.post<{ biller: Biller; credentials: Credentials }>('/p2g/billers', body));
    if (r) onDone(r);
  };

  return (
    <form className="form subform" onSubmit={(e) => void submit(e)} data-testid="onboard-form">
      <h3>Onboard a biller</h3>
      <ErrorBanner error={action.error} />
      <div className="form-row">
        <label className="field">
          <span>Name</span>
          <input required maxLength={200} value={f.name} onChange={set('name')} data-testid="biller-name" />
        </label>
        <label className="field">
          <span>Short name (up to 10 characters, shown to payers)</span>
          <input maxLength={10} value={f.shortName} onChange={set('shortName')} data-testid="biller-short-name" />
        </label>
        <label className="field">
          <span>Kind</span>
          <select value={f.kind} onChange={set('kind')} data-testid="biller-kind">
            <option value="biller">Biller</option>
            <option value="aggregator">Aggregator</option>
          </select>
        </label>
      </div>
      <div className="form-row">
        <label className="field grow">
          <span>Biller endpoint (base URL)</span>
          <input type="url" required placeholder="https://billing.example.gov/pbb" value={f.baseUrl} onChange={set('baseUrl')} data-testid="biller-base-url" />
        </label>
        <label className="field">
          <span>Currencies</span>
          <input required placeholder="KES" value={f.currencies} onChange={set('currencies')} data-testid="biller-currencies" />
        </label>
        <label className="field">
          <span>Inquiry timeout (ms)</span>
          <input inputMode="numeric" placeholder="3000" value={f.timeoutMs} onChange={set('timeoutMs')} />
        </label>
      </div>
      <fieldset>
        <legend>Settlement account</legend>
        <div className="form-row">
          <label className="field">
            <span>Bank code / BIC</span>
            <input required pattern="[A-Za-z0-9]{1,11}" value={f.bankCode} onChange={set('bankCode')} data-testid="biller-bank-code" />
          </label>
          <label className="field">
            <span>Account number</span>
            <input required pattern="[A-Za-z0-9 \-]{1,34}" value={f.accountNumber} onChange={set('accountNumber')} data-testid="biller-account-number" />
          </label>
          <label className="field">
            <span>Account name</span>
            <input maxLength={140} value={f.accountName} onChange={set('accountName')} />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Payment rules</legend>
        <div className="form-row">
          <label className="field">
            <span>Amount</span>
            <select value={f.amountExactness} onChange={set('amountExactness')} data-testid="biller-exactness">
              <option value="EXACT">Exactly the amount due</option>
              <option value="EXACT_UP">The amount due or more</option>
              <option value="EXACT_DOWN">The amount due or less</option>
              <option value="ANY">Any amount</option>
            </select>
          </label>
          <label className="field">
            <span>Smallest payment (minor units)</span>
            <input inputMode="numeric" pattern="[0-9]*" value={f.minAmount} onChange={set('minAmount')} />
          </label>
          <label className="field checkbox">
            <input type="checkbox" checked={f.partialPayment} onChange={(e) => setF((o) => ({ ...o, partialPayment: e.target.checked }))} />
            <span>Partial payments allowed</span>
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Header sent on every call to the biller (optional)</legend>
        <div className="form-row">
          <label className="field">
            <span>Header name</span>
            <input placeholder="Authorization" value={f.authHeaderName} onChange={set('authHeaderName')} />
          </label>
          <label className="field grow">
            <span>Header value (stored encrypted, never shown again)</span>
            <input type="password" autoComplete="off" value={f.authHeaderValue} onChange={set('authHeaderValue')} />
          </label>
        </div>
      </fieldset>
      <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="onboard-submit">
        Onboard biller
      </button>
    </form>
  );
}

function PayerFis() {
  const fis = useGet<PayerFi[]>('/p2g/payer-fis');
  const { can } = useSession();
  const [f, setF] = useState({ code: '', name: '', bic: '', baseUrl: '' });
  const [issued, setIssued] = useState<{ code: string; credentials: Credentials } | null>(null);
  const action = useAction();
  const confirm = useConfirm();
  const link = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await confirm({ title: `Link payer FI ${f.code}?`, message: <p>It will be able to inquire and pay bills.</p>, confirmLabel: 'Link payer FI' });
    if (!ok) return;
    const r = await action.run(() =>
      api.post<{ payerFi: PayerFi; credentials: Credentials | null }>('/p2g/payer-fis', {
        code: f.code.trim(),
        bic: f.bic.trim(),
        baseUrl: f.baseUrl.trim(),
        ...(f.name.trim() ? { name: f.name.trim() } : {}),
      }),
    );
    if (r) {
      if (r.credentials) setIssued({ code: r.payerFi.code, credentials: r.credentials });
      setF({ code: '', name: '', bic: '', baseUrl: '' });
      fis.reload();
    }
  };
  return (
    <>
      {issued && <CredentialsOnce who={issued.code} credentials={issued.credentials} onDone={() => setIssued(null)} />}
      <Card title="Payer FIs" actions={<button type="button" className="btn btn-small" onClick={fis.reload}>Refresh</button>}>
        <Async state={fis} isEmpty={(d) => d.length === 0} empty="No payer FI is linked.">
          {(list) => (
            <TableWrap label="Payer FIs">
              <table>
                <thead>
                  <tr>
                    <th>Code</th>
                    <th>BIC</th>
                    <th>Endpoint</th>
                    <th>Status</th>
                    <th>Linked</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((p) => (
                    <tr key={p.code}>
                      <td>{p.code}</td>
                      <td>{p.bic}</td>
                      <td className="break">{p.baseUrl}</td>
                      <td>
                        <StatusBadge status={p.status} />
                      </td>
                      <td>{dateTime(p.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </Async>
      </Card>
      {can(SCOPE.billersAdmin) && (
        <Card title="Link a payer FI">
          <form className="form" onSubmit={(e) => void link(e)}>
            <ErrorBanner error={action.error} />
            <div className="form-row">
              <label className="field">
                <span>Participant code</span>
                <input required pattern="[A-Za-z0-9._:\-]{1,64}" value={f.code} onChange={(e) => setF({ ...f, code: e.target.value })} />
              </label>
              <label className="field">
                <span>Name</span>
                <input maxLength={200} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
              </label>
              <label className="field">
                <span>BIC</span>
                <input required pattern="[A-Za-z0-9]{1,11}" value={f.bic} onChange={(e) => setF({ ...f, bic: e.target.value })} />
              </label>
              <label className="field grow">
                <span>Endpoint (base URL)</span>
                <input type="url" required value={f.baseUrl} onChange={(e) => setF({ ...f, baseUrl: e.target.value })} />
              </label>
            </div>
            <button type="submit" className="btn btn-primary" disabled={action.busy}>
              Link payer FI
            </button>
          </form>
        </Card>
      )}
    </>
  );
}

/** Advice states an operator may send again (the server requeues only these: bill-payments.repository.ts). */
const RESENDABLE = ['pending', 'failed', 'accepted'];

/** A `date` column comes as YYYY-MM-DD or as the midnight of that day in ISO form: show the day only. */
function dayOf(v: string | null | undefined): string {
  if (!v) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})(T00:00:00(\.0+)?Z)?$/.exec(v);
  return m ? m[1] : dateTime(v);
}

function BillLookup() {
  const route = useRoute();
  const billId = route.query.get('billId') ?? '';
  const [input, setInput] = useState(billId);
  const bill = useGet<BillLookupAnswer>(billId ? `/p2g/bills/${seg(billId)}` : null);
  const { can } = useSession();
  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();

  const resend = async (p: BillPaymentView) => {
    const ok = await confirm({
      title: 'Send this advice again now?',
      message: (
        <p>
          Biller {p.billerId} is told again that bill {billId} was paid ({money(p.amount, p.currency)}, receipt {p.receiptNo ?? p.transactionId}). No money moves.
        </p>
      ),
      confirmLabel: 'Re-send advice',
    });
    if (!ok) return;
    const r = await action.run(() => api.post<Advice>(`/p2g/advices/${seg(p.paymentId)}/resend`));
    if (r) {
      toast(`Advice for ${billId} queued again.`);
      bill.reload();
    }
  };

  return (
    <Card title="Bill look-up">
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (input.trim() === billId) bill.reload();
          else setQuery(route, { billId: input.trim() });
        }}
      >
        <label className="field inline grow">
          <span>Bill ID</span>
          <input required value={input} onChange={(e) => setInput(e.target.value)} placeholder="e.g. 1000WATER42" data-testid="bill-id-input" />
        </label>
        <button type="submit" className="btn btn-primary" data-testid="bill-lookup-button">
          Look up
        </button>
      </form>
      <ErrorBanner error={action.error} onClose={action.clear} />
      {billId && (
        <Async state={bill}>
          {(b) => (
            <div data-testid="bill-result">
              <h3>Bill {b.billId}</h3>
              {b.bill ? (
                <div className="bill-summary" data-testid="bill-summary">
                  <Facts
                    items={[
                      ['Status', <StatusBadge key="s" status={b.bill.status} testId="bill-status" />],
                      [
                        'Biller',
                        <span key="b">
                          {b.bill.billerName} <span className="muted small">({b.bill.billerId})</span>
                        </span>,
                      ],
                      ['Amount due', <span key="d" data-testid="bill-amount-due">{money(b.bill.amountDue, b.bill.currency)}</span>],
                      ['Amount paid', <span key="p" data-testid="bill-amount-paid">{money(b.bill.amountPaid, b.bill.currency)}</span>],
                      ['Last change', dateTime(b.bill.updatedAt)],
                    ]}
                  />
                </div>
              ) : (
                <p className="muted" data-testid="bill-summary">
                  No running state is kept for this bill (it was only asked about, or its biller keeps the balance itself).
                </p>
              )}

              <h3>Payments</h3>
              {b.payments.length === 0 ? (
                <Empty>No payment of this bill.</Empty>
              ) : (
                <TableWrap label="Payments of the bill">
                  <table data-testid="bill-payments-table">
                    <thead>
                      <tr>
                        <th>Paid</th>
                        <th className="num">Amount</th>
                        <th>Payer FI</th>
                        <th>Receipt / transaction</th>
                        <th>Payment</th>
                        <th>Advice to biller</th>
                        <th>Last error</th>
                        <th />
                      </tr>
                    </thead>
                    <tbody>
                      {b.payments.map((p) => (
                        <tr key={p.paymentId} data-testid={`bill-payment-row-${p.paymentId}`}>
                          <td className="nowrap">
                            {dateTime(p.createdAt)}
                            <div className="small muted">{p.channel}</div>
                          </td>
                          <td className="num">{money(p.amount, p.currency)}</td>
                          <td>{p.payerFi}</td>
                          <td className="break">
                            {p.receiptNo ? <code>{p.receiptNo}</code> : '—'}
                            <div className="small muted">
                              {p.transactionId} · request {p.requestId}
                            </div>
                          </td>
                          <td>
                            <StatusBadge status={p.status} />
                            {p.rejectReason && <div className="small muted">{p.rejectReason}</div>}
                          </td>
                          <td>
                            <StatusBadge status={p.adviceStatus} testId="advice-status" />
                            <div className="small muted">
                              {plural(p.adviceAttempts, 'attempt')}
                              {p.adviceDoneAt ? ` · done ${dateTime(p.adviceDoneAt)}` : ''}
                            </div>
                          </td>
                          <td className="break" data-testid="advice-last-error">
                            {p.adviceLastError ?? <span className="muted">—</span>}
                          </td>
                          <td>
                            {can(...SCOPE.advicesResend) && RESENDABLE.includes(p.adviceStatus) && (
                              <button type="button" className="btn btn-small" disabled={action.busy} onClick={() => void resend(p)} data-testid="resend-button">
                                Re-send advice
                              </button>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              )}

              <h3>Inquiries {b.inquiries.length >= 50 && <span className="small muted">(the 50 latest)</span>}</h3>
              {b.inquiries.length === 0 ? (
                <Empty>No inquiry recorded for this bill.</Empty>
              ) : (
                <TableWrap label="Inquiries about the bill">
                  <table data-testid="bill-inquiries-table">
                    <thead>
                      <tr>
                        <th>Asked</th>
                        <th>Payer FI</th>
                        <th>Request</th>
                        <th>Bill status</th>
                        <th>Due date</th>
                        <th className="num">Amount due</th>
                        <th className="num">After due date</th>
                      </tr>
                    </thead>
                    <tbody>
                      {b.inquiries.map((i) => (
                        <tr key={`${i.payerFi}-${i.requestId}`}>
                          <td className="nowrap">{dateTime(i.at)}</td>
                          <td>{i.payerFi}</td>
                          <td className="break">
                            <code>{i.requestId}</code>
                          </td>
                          <td>
                            <StatusBadge status={i.billStatus} />
                          </td>
                          <td>{dayOf(i.dueDate)}</td>
                          <td className="num">{money(i.amountDue, i.currency)}</td>
                          <td className="num">{money(i.amountAfterDue, i.currency)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              )}
            </div>
          )}
        </Async>
      )}
    </Card>
  );
}

const ADVICE_STATUSES = ['pending', 'accepted', 'acknowledged', 'rejected', 'failed', 'internal'];

function Advices() {
  const route = useRoute();
  const status = route.query.get('status') ?? '';
  const advices = useGet<Advice[]>('/p2g/advices', { status, limit: 500 });
  const { can } = useSession();
  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();
  const resend = async (a: Advice) => {
    const ok = await confirm({
      title: 'Send this advice again now?',
      message: (
        <p>
          The biller is told again that bill {a.billId} was paid ({money(a.amount, a.currency)}, reference {a.paymentReference}). No money moves.
        </p>
      ),
      confirmLabel: 'Re-send advice',
    });
    if (!ok) return;
    const r = await action.run(() => api.post<Advice>(`/p2g/advices/${seg(a.paymentId)}/resend`));
    if (r) {
      toast(`Advice for ${a.billId} queued again.`);
      advices.reload();
    }
  };
  return (
    <Card
      title="Advice queue (mark-bill-paid to billers)"
      actions={
        <>
          <select value={status} onChange={(e) => setQuery(route, { status: e.target.value })} aria-label="Status" data-testid="filter-advice-status">
            <option value="">Any status</option>
            {ADVICE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
          <button type="button" className="btn btn-small" onClick={advices.reload}>
            Refresh
          </button>
        </>
      }
    >
      <ErrorBanner error={action.error} onClose={action.clear} />
      <Async state={advices} isEmpty={(d) => d.length === 0} empty="No advice in this state.">
        {(list) => (
          <TableWrap label="Advices">
            <table data-testid="advices-table">
              <thead>
                <tr>
                  <th>Bill</th>
                  <th className="num">Amount</th>
                  <th>Payment</th>
                  <th>Advice</th>
                  <th className="num">Attempts</th>
                  <th>Next attempt</th>
                  <th>Last answer</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.map((a) => (
                  <tr key={a.paymentId} data-testid={`advice-row-${a.paymentId}`}>
                    <td>
                      {a.billId}
                      <div className="small muted">{a.receiptNumber ?? a.paymentReference}</div>
                    </td>
                    <td className="num">{money(a.amount, a.currency)}</td>
                    <td>
                      <StatusBadge status={a.status} />
                    </td>
                    <td>
                      <StatusBadge status={a.adviceStatus} />
                    </td>
                    <td className="num">{a.attempts}</td>
                    <td>{dateTime(a.nextAttemptAt)}</td>
                    <td className="break">
                      {a.lastStatusCode ? `HTTP ${a.lastStatusCode} ` : ''}
                      {a.lastError ?? ''}
                    </td>
                    <td>
                      {can(...SCOPE.advicesResend) && RESENDABLE.includes(a.adviceStatus) && (
                        <button type="button" className="btn btn-small" disabled={action.busy} onClick={() => void resend(a)} data-testid="resend-button">
                          Re-send
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Async>
    </Card>
  );
}

interface SettlementRow {
  billerId: string;
  billerName: string;
  settlementBankCode: string;
  settlementAccount: string;
  payerFi: string;
  currency: string;
  payments: number;
  amountDecimal: string;
  awaitingBiller: number;
  rejected: number;
}

function Reports() {
  const route = useRoute();
  const today = new Date().toISOString().slice(0, 10);
  const date = route.query.get('date') ?? today;
  const settlement = useGet<{ date: string; rows: SettlementRow[] }>('/p2g/reports/settlement', { date });
  const recon = useGet<{ date: string; paymentsChecked: number; issues: Record<string, unknown>[]; balanced: boolean }>('/p2g/reports/reconciliation', { date });
  return (
    <>
      <div className="filters">
        <label className="field inline">
          <span>Day (UTC)</span>
          <input type="date" value={date} max={today} onChange={(e) => setQuery(route, { date: e.target.value })} data-testid="report-date" />
        </label>
        <a className="btn" href={`/p2g/reports/settlement${qs({ date, format: 'csv' })}`} download data-testid="settlement-report-link">
          Download settlement CSV
        </a>
        <a className="btn" href={`/p2g/reports/settlement${qs({ date, format: 'csv', detail: 'true' })}`} download>
          Download every payment (CSV)
        </a>
      </div>
      <Card title={`Settlement on ${date}`}>
        <Async state={settlement} isEmpty={(d) => d.rows.length === 0} empty="No bill payment on this day.">
          {(d) => (
            <TableWrap label="Settlement">
              <table>
                <thead>
                  <tr>
                    <th>Biller</th>
                    <th>Payer FI</th>
                    <th>Settlement account</th>
                    <th className="num">Payments</th>
                    <th className="num">Amount</th>
                    <th className="num">Awaiting biller</th>
                    <th className="num">Rejected</th>
                  </tr>
                </thead>
                <tbody>
                  {d.rows.map((r) => (
                    <tr key={`${r.billerId}-${r.payerFi}-${r.currency}`}>
                      <td>
                        {r.billerName}
                        <div className="small muted">{r.billerId}</div>
                      </td>
                      <td>{r.payerFi}</td>
                      <td>
                        {r.settlementBankCode} {r.settlementAccount}
                      </td>
                      <td className="num">{r.payments}</td>
                      <td className="num">{money(r.amountDecimal, r.currency)}</td>
                      <td className="num">{r.awaitingBiller}</td>
                      <td className="num">{r.rejected}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </Async>
      </Card>
      <Card title={`Reconciliation of ${date}`}>
        <Async state={recon}>
          {(r) => (
            <div data-testid="p2g-reconciliation">
              {r.balanced ? (
                <Banner kind="ok">All {r.paymentsChecked.toLocaleString()} payments of the day match their ledger postings.</Banner>
              ) : (
                <Banner kind="error">
                  {r.issues.length} of {r.paymentsChecked.toLocaleString()} payments do not match their ledger postings.
                </Banner>
              )}
              {r.issues.length > 0 && <GenericTable rows={r.issues} label="Reconciliation issues" />}
            </div>
          )}
        </Async>
      </Card>
    </>
  );
}
