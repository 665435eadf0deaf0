import { useState, type FormEvent } from 'react';
import { api, type ApiError } from '../api';
import { Field } from '../components/Field';
import { useAction } from '../hooks';
import type { SessionAnswer } from '../types';
import { ErrorBanner } from '../ui';

export function LoginPage({ onLogin, bootError }: { onLogin: (s: SessionAnswer) => void; bootError?: ApiError }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const s = await action.run(() => api.post<SessionAnswer>('/console/api/session', { username: username.trim(), password }));
    if (s) {
      setPassword('');
      onLogin(s);
    }
  };

  const error = action.error ?? bootError;
  return (
    <div className="center-page">
      <form className="login card" onSubmit={(e) => void submit(e)} data-testid="login-form">
        <h1>Payments console</h1>
        <p className="sub">Sign in with your operator account.</p>
        <ErrorBanner error={error} />
        {error?.status === 423 && <p className="hint">Too many failed attempts: wait 15 minutes, or ask an administrator.</p>}
        <Field label="Username">
          <input name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required value={username} onChange={(e) => setUsername(e.target.value)} data-testid="login-username" />
        </Field>
        <Field label="Password">
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} data-testid="login-password" />
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={action.busy} data-testid="login-submit">
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
