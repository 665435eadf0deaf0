import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  type FormEvent,
  type ReactNode,
} from 'react';
import type { ApiError } from './api';
import { humanize } from './format';

/* ---------- errors, loading, empty ---------- */

/** The server's refusal as it gave it: message, code and the correlation ID to quote to support. */
export function ErrorBanner({ error, onClose }: { error: ApiError | undefined | null; onClose?: () => void }) {
  if (!error) return null;
  const title =
    error.status === 403
      ? 'Not allowed'
      : error.status === 404
        ? 'Not found'
        : error.status === 0
          ? 'No connection'
          : error.status >= 500
            ? 'Server error'
            : 'The server refused this';
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <div className="banner-body">
        <strong>{title}.</strong> <span data-testid="error-message">{error.message}</span>
        <div className="banner-meta">
          {error.code && (
            <span>
              Code <code data-testid="error-code">{error.code}</code>
            </span>
          )}
          {error.status > 0 && <span>HTTP {error.status}</span>}
          {error.correlationId && (
            <span>
              Reference <code>{error.correlationId}</code>
            </span>
          )}
        </div>
      </div>
      {onClose && (
        <button type="button" className="btn btn-link" onClick={onClose} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}

export function Banner({ kind, children, testId }: { kind: 'info' | 'warn' | 'ok' | 'error'; children: ReactNode; testId?: string }) {
  return (
    <div className={`banner banner-${kind}`} role={kind === 'warn' || kind === 'error' ? 'alert' : 'status'} data-testid={testId}>
      <div className="banner-body">{children}</div>
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="empty" data-testid="empty">
      {children}
    </div>
  );
}

/** Loading, error or content: the three states every list has. */
export function Async<T>({
  state,
  children,
  empty,
  isEmpty,
}: {
  state: { data: T | undefined; error: ApiError | undefined; loading: boolean };
  children: (data: T) => ReactNode;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
}) {
  return (
    <>
      <ErrorBanner error={state.error} />
      {state.data === undefined ? (
        state.loading ? (
          <Loading />
        ) : null
      ) : isEmpty && isEmpty(state.data) ? (
        <Empty>{empty ?? 'Nothing to show.'}</Empty>
      ) : (
        children(state.data)
      )}
    </>
  );
}

/* ---------- toasts ---------- */

interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  text: string;
}

const ToastContext = createContext<(text: string, kind?: Toast['kind']) => void>(() => undefined);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const push = useCallback((text: string, kind: Toast['kind'] = 'ok') => {
    const id = next.current++;
    setToasts((t) => [...t, { id, kind, text }]);
    window.setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === 'error' ? 10000 : 5000);
  }, []);
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast" role="status">
            <span>{t.text}</span>
            <button type="button" className="btn btn-link" aria-label="Dismiss" onClick={() => setToasts((all) => all.filter((x) => x.id !== t.id))}>
              ✕
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export const useToast = () => useContext(ToastContext);

/* ---------- confirmation dialog ---------- */

export interface ConfirmOptions {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  /** Red confirm button: cancelling, rejecting, disabling. */
  danger?: boolean;
  /** Ask for a free-text reason (sent to the server with the action). */
  reason?: { label: string; required?: boolean; maxLength?: number };
  /** Ask for another value (a password, a code). */
  input?: { label: string; type?: string; required?: boolean; minLength?: number; maxLength?: number; autoComplete?: string; choices?: string[] };
}

export interface ConfirmResult {
  reason: string;
  input: string;
}

type Pending = ConfirmOptions & { resolve: (r: ConfirmResult | null) => void };

const ConfirmContext = createContext<(o: ConfirmOptions) => Promise<ConfirmResult | null>>(() => Promise.resolve(null));

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const confirm = useCallback(
    (o: ConfirmOptions) =>
      new Promise<ConfirmResult | null>((resolve) => {
        setPending({ ...o, resolve });
      }),
    [],
  );
  return (
    <ConfirmContext.Provider value={confirm}>
      {children}
      {pending && (
        <ConfirmDialog
          options={pending}
          onDone={(r) => {
            pending.resolve(r);
            setPending(null);
          }}
        />
      )}
    </ConfirmContext.Provider>
  );
}

/** `if (!(await confirm({...}))) return;` before anything that moves money or cancels something. */
export const useConfirm = () => useContext(ConfirmContext);

function ConfirmDialog({ options, onDone }: { options: ConfirmOptions; onDone: (r: ConfirmResult | null) => void }) {
  const [reason, setReason] = useState('');
  const [input, setInput] = useState('');
  const first = useRef<HTMLButtonElement>(null);
  const field = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  useEffect(() => {
    (field.current ?? first.current)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onDone(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onDone]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onDone({ reason: reason.trim(), input });
  };
  return (
    <div className="modal-backdrop" role="presentation" onClick={() => onDone(null)}>
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        data-testid="confirm-dialog"
        onClick={(e) => e.stopPropagation()}
        onSubmit={submit}
      >
        <h2 id="confirm-title">{options.title}</h2>
        <div className="modal-body">{options.message}</div>
        {options.reason && (
          <label className="field">
            <span>
              {options.reason.label}
              {!options.reason.required && <em> (optional)</em>}
            </span>
            <textarea
              ref={field}
              value={reason}
              required={options.reason.required}
              maxLength={options.reason.maxLength ?? 500}
              rows={3}
              data-testid="confirm-reason"
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
        )}
        {options.input && (
          <label className="field">
            <span>{options.input.label}</span>
            {options.input.choices ? (
              <select value={input} required={options.input.required} onChange={(e) => setInput(e.target.value)} data-testid="confirm-input">
                <option value="">Choose…</option>
                {options.input.choices.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            ) : (
            <input
              ref={options.reason ? undefined : field}
              type={options.input.type ?? 'text'}
              value={input}
              required={options.input.required}
              minLength={options.input.minLength}
              maxLength={options.input.maxLength}
              autoComplete={options.input.autoComplete ?? 'off'}
              data-testid="confirm-input"
              onChange={(e) => setInput(e.target.value)}
            />
            )}
          </label>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" ref={first} onClick={() => onDone(null)} data-testid="confirm-cancel">
            Go back
          </button>
          <button type="submit" className={`btn ${options.danger ? 'btn-danger' : 'btn-primary'}`} data-testid="confirm-button">
            {options.confirmLabel}
          </button>
        </div>
      </form>
    </div>
  );
}

/* ---------- small pieces ---------- */

const STATUS_TONE: Record<string, string> = {
  completed: 'ok',
  delivered: 'ok',
  active: 'ok',
  acknowledged: 'ok',
  accepted: 'ok',
  activated: 'ok',
  ACSC: 'ok',
  balanced: 'ok',
  partially_completed: 'warn',
  awaiting_approval: 'warn',
  awaiting_funds: 'warn',
  pending_approval: 'warn',
  suspended: 'warn',
  pending: 'info',
  delivering: 'info',
  PDNG: 'info',
  ACCP: 'info',
  failed: 'bad',
  rejected: 'bad',
  cancelled: 'muted',
  disabled: 'muted',
  expired: 'muted',
  blocked: 'bad',
  RJCT: 'bad',
  consumed: 'muted',
  paid: 'ok',
  partially_paid: 'warn',
  open: 'info',
  recorded: 'info',
  internal: 'muted',
};

export function StatusBadge({ status, testId }: { status: string | null | undefined; testId?: string }) {
  const s = status ?? '—';
  return (
    <span className={`badge badge-${STATUS_TONE[s] ?? 'info'}`} data-testid={testId} data-status={s}>
      {humanize(s)}
    </span>
  );
}

export function PageHeader({ title, children, sub }: { title: string; children?: ReactNode; sub?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {sub && <p className="sub">{sub}</p>}
      </div>
      {children && <div className="page-actions">{children}</div>}
    </div>
  );
}

export function Card({ title, children, actions, className }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && (
        <div className="card-header">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}

/** A definition list of label → value. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

export function TableWrap({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** Any JSON, readable. */
export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

/** Rows of objects whose shape is not fixed: one column per key seen. */
export function GenericTable({ rows, label }: { rows: Record<string, unknown>[]; label: string }) {
  if (!rows.length) return <Empty>None recorded.</Empty>;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <TableWrap label={label}>
      <table>
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {cols.map((c) => {
                const v = r[c];
                return <td key={c}>{v === null || v === undefined ? '—' : typeof v === 'object' ? <code>{JSON.stringify(v)}</code> : String(v)}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function Pager({
  offset,
  limit,
  count,
  onChange,
}: {
  offset: number;
  limit: number;
  count: number;
  onChange: (offset: number) => void;
}) {
  return (
    <div className="pager">
      <button type="button" className="btn" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))} data-testid="page-prev">
        ← Newer
      </button>
      <span>
        {count === 0 ? 'No rows' : `Rows ${(offset + 1).toLocaleString()}–${(offset + count).toLocaleString()}`}
      </span>
      <button type="button" className="btn" disabled={count < limit} onClick={() => onChange(offset + limit)} data-testid="page-next">
        Older →
      </button>
    </div>
  );
}

/** A secret shown once, with a copy button. */
export function Secret({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret">
      <span className="secret-label">{label}</span>
      <code className="secret-value">{value}</code>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setCopied(true));
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
