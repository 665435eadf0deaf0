import { useState, type FormEvent } from 'react';
import { api, seg } from '../api';
import { DataTable } from '../components/DataTable';
import { Field } from '../components/Field';
import { useAction, useGet } from '../hooks';
import { useSession } from '../session';
import type { Operator, Role } from '../types';
import { Async, Card, ErrorBanner, PageHeader, StatusBadge, useConfirm, useToast } from '../ui';
import { dateTime } from '../format';

const ROLES: { id: Role; words: string }[] = [
  { id: 'viewer', words: 'Viewer: reads everything, addresses masked' },
  { id: 'maker', words: 'Maker: submits batches, onboards billers, operates vouchers and callbacks' },
  { id: 'checker', words: 'Checker: approves or rejects what makers did' },
  { id: 'admin', words: 'Administrator: everything, including operator accounts' },
];

export function OperatorsPage() {
  const list = useGet<{ operators: Operator[] }>('/console/api/operators');
  const { operator: me } = useSession();
  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();

  const patch = async (o: Operator, body: Record<string, unknown>, done: string) => {
    const r = await action.run(() => api.patch<Operator>(`/console/api/operators/${seg(o.id)}`, body));
    if (r) {
      toast(done);
      list.reload();
    }
  };

  const changeRole = async (o: Operator, role: Role) => {
    if (role === o.role) return;
    const ok = await confirm({
      title: `Make ${o.username} a ${role}?`,
      message: <p>Their sessions end now; they sign in again with the new role.</p>,
      confirmLabel: 'Change role',
    });
    if (ok) await patch(o, { role }, `${o.username} is now ${role}.`);
    else list.reload();
  };

  const toggle = async (o: Operator) => {
    const disabling = o.status === 'active';
    const ok = await confirm({
      title: disabling ? `Disable ${o.username}?` : `Enable ${o.username}?`,
      message: disabling ? <p>They are signed out at once and cannot sign in until enabled again.</p> : <p>They can sign in again.</p>,
      confirmLabel: disabling ? 'Disable account' : 'Enable account',
      danger: disabling,
    });
    if (ok) await patch(o, { status: disabling ? 'disabled' : 'active' }, `${o.username} ${disabling ? 'disabled' : 'enabled'}.`);
  };

  const reset = async (o: Operator) => {
    const ok = await confirm({
      title: `Set a new password for ${o.username}?`,
      message: <p>Their sessions end. Give them the new password through a secure channel and ask them to change it.</p>,
      confirmLabel: 'Set password',
      input: { label: 'New password (12 to 200 characters)', type: 'password', required: true, minLength: 12, maxLength: 200, autoComplete: 'new-password' },
    });
    if (ok) await patch(o, { password: ok.input }, `Password of ${o.username} reset.`);
  };

  return (
    <div className="page">
      <PageHeader title="Operators" sub="The people who use this console, and their roles." />
      <ErrorBanner error={action.error} onClose={action.clear} />
      <CreateOperator onCreated={list.reload} />
      <Card title="Accounts" actions={<button type="button" className="btn btn-small" onClick={list.reload}>Refresh</button>}>
        <Async state={list} isEmpty={(d) => d.operators.length === 0} empty="No operator.">
          {(d) => (
            <DataTable label="Operators" testId="operators-table" columns={['Username', 'Name', 'Role', 'Status', 'Last login', '']}>
              {d.operators.map((o) => (
                <tr key={o.id} data-testid={`operator-row-${o.username}`}>
                  <td>
                    <code>{o.username}</code>
                    {o.id === me.id && <span className="small muted"> (you)</span>}
                  </td>
                  <td>{o.displayName}</td>
                  <td>
                    <select value={o.role} disabled={action.busy || o.id === me.id} onChange={(e) => void changeRole(o, e.target.value as Role)} aria-label={`Role of ${o.username}`} data-testid="operator-role-select">
                      {ROLES.map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.id}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <StatusBadge status={o.status} />
                  </td>
                  <td>{dateTime(o.lastLoginAt)}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" disabled={action.busy} onClick={() => void reset(o)} data-testid="operator-reset-button">
                      Reset password
                    </button>
                    {o.id !== me.id && (
                      <button type="button" className={`btn btn-small ${o.status === 'active' ? 'btn-danger-outline' : ''}`} disabled={action.busy} onClick={() => void toggle(o)} data-testid="operator-toggle-button">
                        {o.status === 'active' ? 'Disable' : 'Enable'}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Async>
      </Card>
    </div>
  );
}

function CreateOperator({ onCreated }: { onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [f, setF] = useState({ username: '', displayName: '', role: 'viewer' as Role, password: '' });
  const action = useAction();
  const toast = useToast();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() => api.post<Operator>('/console/api/operators', { ...f, username: f.username.trim(), displayName: f.displayName.trim() }));
    if (r) {
      toast(`Operator ${r.username} created.`);
      setF({ username: '', displayName: '', role: 'viewer', password: '' });
      setOpen(false);
      onCreated();
    }
  };
  return (
    <Card
      title="New operator"
      actions={
        <button type="button" className="btn btn-small btn-primary" onClick={() => setOpen((o) => !o)} data-testid="operator-create-toggle">
          {open ? 'Close' : 'Add an operator'}
        </button>
      }
    >
      {open && (
        <form className="form" onSubmit={(e) => void submit(e)} data-testid="operator-create-form">
          <ErrorBanner error={action.error} />
          <div className="form-row">
            <Field label="Username (3-64 of a-z 0-9 . _ -)">
              <input required pattern="[a-z0-9._\-]{3,64}" autoCapitalize="none" value={f.username} onChange={(e) => setF({ ...f, username: e.target.value })} data-testid="operator-username" />
            </Field>
            <Field label="Full name">
              <input required maxLength={200} value={f.displayName} onChange={(e) => setF({ ...f, displayName: e.target.value })} data-testid="operator-display-name" />
            </Field>
            <Field label="Role">
              <select value={f.role} onChange={(e) => setF({ ...f, role: e.target.value as Role })} data-testid="operator-role">
                {ROLES.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.words}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="First password (12-200 characters)">
              <input type="password" required minLength={12} maxLength={200} autoComplete="new-password" value={f.password} onChange={(e) => setF({ ...f, password: e.target.value })} data-testid="operator-password" />
            </Field>
          </div>
          <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="operator-create-submit">
            Create operator
          </button>
        </form>
      )}
    </Card>
  );
}
