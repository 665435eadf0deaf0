import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useAction } from '../hooks';
import { useSession } from '../session';
import { Card, ErrorBanner, Facts, PageHeader, useToast } from '../ui';
import { dateTime } from '../format';

export function AccountPage() {
  const { operator } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const action = useAction();
  const toast = useToast();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== again) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    const ok = await action.run(async () => {
      await api.post('/console/api/session/password', { currentPassword: current, newPassword: next });
      return true;
    });
    if (ok) {
      setCurrent('');
      setNext('');
      setAgain('');
      toast('Password changed. Your other sessions have been ended.');
    }
  };

  return (
    <div className="page">
      <PageHeader title="Your account" />
      <Card title="Who you are">
        <Facts
          items={[
            ['Username', operator.username],
            ['Name', operator.displayName],
            ['Role', operator.role],
            ['Tenant', operator.tenantId],
            ['Last login', dateTime(operator.lastLoginAt)],
            ['Permissions', operator.scopes.join(', ')],
          ]}
        />
      </Card>
      <Card title="Change password">
        <form className="form narrow" onSubmit={(e) => void submit(e)} data-testid="password-form">
          <ErrorBanner error={action.error} />
          {mismatch && <p className="field-error">The two new passwords differ.</p>}
          <label className="field">
            <span>Current password</span>
            <input type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} data-testid="password-current" />
          </label>
          <label className="field">
            <span>New password (12 to 200 characters)</span>
            <input type="password" autoComplete="new-password" required minLength={12} maxLength={200} value={next} onChange={(e) => setNext(e.target.value)} data-testid="password-new" />
          </label>
          <label className="field">
            <span>New password again</span>
            <input type="password" autoComplete="new-password" required minLength={12} maxLength={200} value={again} onChange={(e) => setAgain(e.target.value)} data-testid="password-again" />
          </label>
          <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="password-submit">
            Change password
          </button>
        </form>
      </Card>
    </div>
  );
}
