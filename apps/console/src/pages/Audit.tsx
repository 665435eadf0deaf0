import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { api, type ApiError, type Query } from '../api';
import { asApiError } from '../hooks';
import { setQuery, useRoute } from '../router';
import type { AuditEntry } from '../types';
import { Card, Empty, ErrorBanner, Json, Loading, PageHeader, TableWrap } from '../ui';
import { dateTime } from '../format';

const FIELDS = ['actorId', 'objectType', 'objectId', 'action', 'from', 'to'] as const;
type Field = (typeof FIELDS)[number];

/** datetime-local (no zone) → ISO in UTC. */
const toIso = (v: string) => (v ? new Date(v).toISOString() : '');

export function AuditPage() {
  const route = useRoute();
  const applied = Object.fromEntries(FIELDS.map((f) => [f, route.query.get(f) ?? ''])) as Record<Field, string>;
  const [form, setForm] = useState(applied);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const key = FIELDS.map((f) => applied[f]).join('|');

  const load = async (beforeId?: string) => {
    setBusy(true);
    const q: Query = { ...applied, from: toIso(applied.from), to: toIso(applied.to), limit: 100, beforeId };
    try {
      const r = await api.get<{ entries: AuditEntry[]; nextBeforeId: string | null }>('/audit', q);
      setEntries((e) => (beforeId ? [...e, ...r.entries] : r.entries));
      setNext(r.nextBeforeId);
      setError(undefined);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    setEntries([]);
    void load();
    // eslint-disable-next-line
  }, [key]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(route, Object.fromEntries(FIELDS.map((f) => [f, form[f].trim()])));
  };
  const input = (f: Field, label: string, type = 'text', placeholder?: string) => (
    <label className="field">
      <span>{label}</span>
      <input type={type} value={form[f]} placeholder={placeholder} onChange={(e) => setForm({ ...form, [f]: e.target.value })} data-testid={`audit-${f}`} />
    </label>
  );

  return (
    <div className="page">
      <PageHeader title="Audit log" sub="Who did what, newest first. Every console action is recorded under the operator's own name (user:…)." />
      <Card>
        <form className="form" onSubmit={submit}>
          <div className="form-row">
            {input('actorId', 'Who (actor)', 'text', 'user:alice')}
            {input('action', 'Action', 'text', 'batch.approved')}
            {input('objectType', 'Object type', 'text', 'batch')}
            {input('objectId', 'Object ID')}
          </div>
          <div className="form-row">
            {input('from', 'From', 'datetime-local')}
            {input('to', 'To', 'datetime-local')}
          </div>
          <div className="actions-bar">
            <button type="submit" className="btn btn-primary" data-testid="audit-search">
              Search
            </button>
            <button
              type="button"
              className="btn btn-link"
              onClick={() => {
                setForm(Object.fromEntries(FIELDS.map((f) => [f, ''])) as Record<Field, string>);
                setQuery(route, Object.fromEntries(FIELDS.map((f) => [f, undefined])));
              }}
            >
              Clear
            </button>
          </div>
        </form>
      </Card>
      <ErrorBanner error={error} />
      {entries.length === 0 && busy && <Loading />}
      {entries.length === 0 && !busy && !error && <Empty>No audit entry matches.</Empty>}
      {entries.length > 0 && (
        <TableWrap label="Audit entries">
          <table data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Object</th>
                <th>Correlation</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <Fragment key={e.id}>
                  <tr data-testid={`audit-row-${e.id}`}>
                    <td>{dateTime(e.occurredAt)}</td>
                    <td>
                      {e.actorId}
                      <div className="small muted">{e.actorKind}</div>
                    </td>
                    <td>{e.action}</td>
                    <td>
                      {e.objectType} <code>{e.objectId}</code>
                    </td>
                    <td>
                      <code className="small">{e.correlationId ?? '—'}</code>
                    </td>
                    <td>
                      {e.details !== null && e.details !== undefined && (
                        <button type="button" className="btn btn-small" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                          {open === e.id ? 'Hide' : 'Details'}
                        </button>
                      )}
                    </td>
                  </tr>
                  {open === e.id && (
                    <tr>
                      <td colSpan={6}>
                        <Json value={e.details} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {next && (
        <button type="button" className="btn" disabled={busy} onClick={() => void load(next)} data-testid="load-more">
          {busy ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
