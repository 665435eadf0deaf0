import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { Field } from '../../components/Field';
import { useAction } from '../../hooks';
import type { Biller, Credentials } from '../../types';
import { ErrorBanner, useConfirm } from '../../ui';

/** Onboarding a biller: it gets a biller ID, a bill-ID prefix and an API client. */
export function OnboardForm({ onDone }: { onDone: (r: { biller: Biller; credentials: Credentials }) => void }) {
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
        <Field label="Name">
          <input required maxLength={200} value={f.name} onChange={set('name')} data-testid="biller-name" />
        </Field>
        <Field label="Short name (up to 10 characters, shown to payers)">
          <input maxLength={10} value={f.shortName} onChange={set('shortName')} data-testid="biller-short-name" />
        </Field>
        <Field label="Kind">
          <select value={f.kind} onChange={set('kind')} data-testid="biller-kind">
            <option value="biller">Biller</option>
            <option value="aggregator">Aggregator</option>
          </select>
        </Field>
      </div>
      <div className="form-row">
        <Field label="Biller endpoint (base URL)" grow>
          <input type="url" required placeholder="https://billing.example.gov/pbb" value={f.baseUrl} onChange={set('baseUrl')} data-testid="biller-base-url" />
        </Field>
        <Field label="Currencies">
          <input required placeholder="KES" value={f.currencies} onChange={set('currencies')} data-testid="biller-currencies" />
        </Field>
        <Field label="Inquiry timeout (ms)">
          <input inputMode="numeric" placeholder="3000" value={f.timeoutMs} onChange={set('timeoutMs')} />
        </Field>
      </div>
      <fieldset>
        <legend>Settlement account</legend>
        <div className="form-row">
          <Field label="Bank code / BIC">
            <input required pattern="[A-Za-z0-9]{1,11}" value={f.bankCode} onChange={set('bankCode')} data-testid="biller-bank-code" />
          </Field>
          <Field label="Account number">
            <input required pattern="[A-Za-z0-9 \-]{1,34}" value={f.accountNumber} onChange={set('accountNumber')} data-testid="biller-account-number" />
          </Field>
          <Field label="Account name">
            <input maxLength={140} value={f.accountName} onChange={set('accountName')} />
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>Payment rules</legend>
        <div className="form-row">
          <Field label="Amount">
            <select value={f.amountExactness} onChange={set('amountExactness')} data-testid="biller-exactness">
              <option value="EXACT">Exactly the amount due</option>
              <option value="EXACT_UP">The amount due or more</option>
              <option value="EXACT_DOWN">The amount due or less</option>
              <option value="ANY">Any amount</option>
            </select>
          </Field>
          <Field label="Smallest payment (minor units)">
            <input inputMode="numeric" pattern="[0-9]*" value={f.minAmount} onChange={set('minAmount')} />
          </Field>
          <label className="field checkbox">
            <input type="checkbox" checked={f.partialPayment} onChange={(e) => setF((o) => ({ ...o, partialPayment: e.target.checked }))} />
            <span>Partial payments allowed</span>
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Header sent on every call to the biller (optional)</legend>
        <div className="form-row">
          <Field label="Header name">
            <input placeholder="Authorization" value={f.authHeaderName} onChange={set('authHeaderName')} />
          </Field>
          <Field label="Header value (stored encrypted, never shown again)" grow>
            <input type="password" autoComplete="off" value={f.authHeaderValue} onChange={set('authHeaderValue')} />
          </Field>
        </div>
      </fieldset>
      <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="onboard-submit">
        Onboard biller
      </button>
    </form>
  );
}
