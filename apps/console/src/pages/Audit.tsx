import { Fragment, useState, type FormEvent } from 'react';
import { api, type Query } from '../api';
import { DataTable } from '../components/DataTable';
import { Field } from '../components/Field';
import { LoadMore } from '../components/LoadMore';
import { useCursorList } from '../hooks';
import { setQuery, useRoute } from '../router';
import type { AuditEntry } from '../types';
import { Card, Empty, ErrorBanner, Json, Loading, PageHeader } from '../ui';
import { dateTime } from '../format';

const FIELDS = ['actorId', 'objectType', 'objectId', 'action', 'from', 'to'] as const;
type FieldName = (typeof FIELDS)[number];

/** datetime-local (no zone) → ISO in UTC. */
const toIso = (v: string) => (v ? new Date(v).toISOString() : '');

export function AuditPage() {
  const route = useRoute();
  const applied = Object.fromEntries(FIELDS.map((f) => [f, route.query.get(f) ?? ''])) as Record<FieldName, string>;
  const [form, setForm] = useState(applied);
  const [open, setOpen] = useState<string | null>(null);
  const list = useCursorList<AuditEntry>(async (beforeId) => {
    const q: Query = { ...applied, from: toIso(applied.from), to: toIso(applied.to), limit: 100, beforeId };
    const r = await api.get<{ entries: AuditEntry[]; nextBeforeId: string | null }>('/audit', q);
    return { items: r.entries, next: r.nextBeforeId };
  }, FIELDS.map((f) => applied[f]).join('|'));
  const { items: entries, error, busy } = list;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(route, Object.fromEntries(FIELDS.map((f) => [f, form[f].trim()])));
  };
  const input = (f: FieldName, label: string, type = 'text', placeholder?: string) => (
    <Field label={label}>
      <input type={type} value={form[f]} placeholder={placeholder} onChange={(e) => setForm({ ...form, [f]: e.target.value })} data-testid={`audit-${f}`} />
    </Field>
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
                setForm(Object.fromEntries(FIELDS.map((f) => [f, ''])) as Record<FieldName, string>);
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
        <DataTable label="Audit entries" testId="audit-table" columns={['When', 'Who', 'Action', 'Object', 'Correlation', '']}>
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
        </DataTable>
      )}
      <LoadMore more={!!list.next} busy={busy} onLoad={list.loadMore} />
    </div>
  );
}
