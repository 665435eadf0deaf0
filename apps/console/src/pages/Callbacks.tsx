import { useState } from 'react';
import { api, seg } from '../api';
import { DataTable, num } from '../components/DataTable';
import { Field } from '../components/Field';
import { FilterForm, QuerySelect } from '../components/Filters';
import { offsetOf, PagedTable } from '../components/Paging';
import { useAction, useGet } from '../hooks';
import { href, navigate, setQuery, useRoute } from '../router';
import { SCOPE, useSession } from '../session';
import type { Delivery, DeliveryDetail } from '../types';
import { Async, Card, ErrorBanner, Facts, Json, Loading, PageHeader, StatusBadge, useConfirm, useToast } from '../ui';
import { dateTime, shortId } from '../format';

const LIMIT = 50;
const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'];
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function CallbacksPage() {
  const route = useRoute();
  const status = route.query.get('status') ?? '';
  const eventType = route.query.get('eventType') ?? '';
  const offset = offsetOf(route);
  const list = useGet<{ items: Delivery[] }>('/callbacks/deliveries', { status, eventType, limit: LIMIT, offset });
  const [event, setEvent] = useState(eventType);
  return (
    <div className="page">
      <PageHeader title="Callbacks" sub="Signed callbacks sent to other systems, newest first.">
        <button type="button" className="btn" onClick={list.reload} data-testid="refresh-button">
          Refresh
        </button>
      </PageHeader>
      <FilterForm onSubmit={() => setQuery(route, { eventType: event.trim(), offset: undefined })}>
        <Field label="Status" inline>
          <QuerySelect param="status" choices={DELIVERY_STATUSES} any="Any status" labelOf={capitalised} testId="filter-delivery-status" />
        </Field>
        <Field label="Event type" inline>
          <input value={event} onChange={(e) => setEvent(e.target.value)} placeholder="e.g. bulk.batch.completed" data-testid="filter-event-type" />
        </Field>
        <button type="submit" className="btn">
          Apply
        </button>
      </FilterForm>
      <PagedTable
        state={list}
        limit={LIMIT}
        empty="No callback matches these filters."
        label="Callback deliveries"
        testId="deliveries-table"
        columns={['Created', 'Event', 'Target', 'Status', num('Attempts'), 'Last error']}
        row={(c) => (
          <tr key={c.id} className="clickable" data-testid={`delivery-row-${c.id}`} onClick={() => navigate(`/callbacks/${c.id}`)}>
            <td>
              <a href={href(`/callbacks/${c.id}`)} onClick={(e) => e.stopPropagation()}>
                {dateTime(c.createdAt)}
              </a>
            </td>
            <td>{c.eventType}</td>
            <td className="break">
              {c.method} {c.url}
            </td>
            <td>
              <StatusBadge status={c.status} />
            </td>
            <td className="num">
              {c.attempts} / {c.maxAttempts}
            </td>
            <td className="break">
              {c.lastStatusCode ? `HTTP ${c.lastStatusCode} ` : ''}
              {c.lastError ?? ''}
            </td>
          </tr>
        )}
      />
    </div>
  );
}

export function DeliveryPage({ id }: { id: string }) {
  const d = useGet<DeliveryDetail>(`/callbacks/deliveries/${seg(id)}`);
  const { can } = useSession();
  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();
  const resend = async () => {
    const ok = await confirm({
      title: 'Send this callback again?',
      message: <p>It is delivered again to {d.data?.url} with a fresh budget of attempts. The receiver may get it twice; callbacks carry IDs for that.</p>,
      confirmLabel: 'Re-send callback',
    });
    if (!ok) return;
    const r = await action.run(() => api.post<Delivery>(`/callbacks/deliveries/${seg(id)}/resend`));
    if (r) {
      toast('Callback queued for delivery again.');
      d.reload();
    }
  };
  return (
    <div className="page">
      <PageHeader title="Callback delivery" sub={<code>{id}</code>}>
        <button type="button" className="btn" onClick={d.reload}>
          Refresh
        </button>
      </PageHeader>
      <p>
        <a href={href('/callbacks')}>← All callbacks</a>
      </p>
      <ErrorBanner error={action.error} onClose={action.clear} />
      {!d.data && (d.error ? <ErrorBanner error={d.error} /> : <Loading />)}
      {d.data && (
        <Async state={d}>
          {(c) => (
            <>
              <Card
                title={c.eventType}
                actions={
                  can(...SCOPE.callbacksResend) &&
                  (c.status === 'failed' || c.status === 'delivered') && (
                    <button type="button" className="btn btn-primary" disabled={action.busy} onClick={() => void resend()} data-testid="resend-button">
                      Re-send
                    </button>
                  )
                }
              >
                <Facts
                  items={[
                    ['Status', <StatusBadge key="s" status={c.status} testId="delivery-status" />],
                    ['Target', `${c.method} ${c.url}`],
                    ['Attempts', `${c.attempts} of ${c.maxAttempts}`],
                    ['Next attempt', dateTime(c.nextAttemptAt)],
                    ['Delivered', dateTime(c.deliveredAt)],
                    ['Last answer', c.lastStatusCode ? `HTTP ${c.lastStatusCode}` : '—'],
                    ['Last error', c.lastError ? <span key="e" className="text-bad" data-testid="delivery-last-error">{c.lastError}</span> : '—'],
                    ['Correlation ID', <code key="c">{c.correlationId}</code>],
                    ['Participant', shortId(c.participantId)],
                    ['Created', dateTime(c.createdAt)],
                  ]}
                />
              </Card>
              <Card title="Attempts">
                {c.attemptHistory.length === 0 ? (
                  <p className="muted">No attempt yet.</p>
                ) : (
                  <DataTable label="Attempts" testId="attempts-table" columns={[num('#'), 'Started', num('Took'), 'Outcome', 'Answer', 'Error']}>
                    {c.attemptHistory.map((a) => (
                      <tr key={a.attemptNo}>
                        <td className="num">{a.attemptNo}</td>
                        <td>{dateTime(a.startedAt)}</td>
                        <td className="num">{a.durationMs === null ? '—' : `${a.durationMs} ms`}</td>
                        <td>
                          <StatusBadge status={a.outcome} />
                        </td>
                        <td>{a.statusCode ?? '—'}</td>
                        <td className="break">{a.error ?? ''}</td>
                      </tr>
                    ))}
                  </DataTable>
                )}
              </Card>
              <Card title="Body sent">
                {c.payload === null ? (
                  <p className="small muted" data-testid="payload-hidden">
                    A callback's body may carry personal data: it is shown to operators who may re-send callbacks.
                  </p>
                ) : (
                  <Json value={c.payload} />
                )}
              </Card>
            </>
          )}
        </Async>
      )}
    </div>
  );
}
