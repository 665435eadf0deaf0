import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Field } from '../../components/Field';
import { useAction, useGet } from '../../hooks';
import { SCOPE, useSession } from '../../session';
import type { Credentials, PayerFi } from '../../types';
import { Async, Card, ErrorBanner, StatusBadge, useConfirm } from '../../ui';
import { dateTime } from '../../format';
import { CredentialsOnce } from './CredentialsOnce';

/** The payer FIs linked for bill payments, and linking one. */
export function PayerFis() {
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
            <DataTable label="Payer FIs" columns={['Code', 'BIC', 'Endpoint', 'Status', 'Linked']}>
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
            </DataTable>
          )}
        </Async>
      </Card>
      {can(SCOPE.billersAdmin) && (
        <Card title="Link a payer FI">
          <form className="form" onSubmit={(e) => void link(e)}>
            <ErrorBanner error={action.error} />
            <div className="form-row">
              <Field label="Participant code">
                <input required pattern="[A-Za-z0-9._:\-]{1,64}" value={f.code} onChange={(e) => setF({ ...f, code: e.target.value })} />
              </Field>
              <Field label="Name">
                <input maxLength={200} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
              </Field>
              <Field label="BIC">
                <input required pattern="[A-Za-z0-9]{1,11}" value={f.bic} onChange={(e) => setF({ ...f, bic: e.target.value })} />
              </Field>
              <Field label="Endpoint (base URL)" grow>
                <input type="url" required value={f.baseUrl} onChange={(e) => setF({ ...f, baseUrl: e.target.value })} />
              </Field>
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
