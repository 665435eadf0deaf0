import { useState } from 'react';
import { useGet } from '../hooks';
import { href, navigate, setQuery, useRoute } from '../router';
import { useSession, SCOPE } from '../session';
import { BATCH_STATES, type BatchList, type Program } from '../types';
import { Async, PageHeader, Pager, StatusBadge, TableWrap } from '../ui';
import { dateTime, humanize, money, shortId } from '../format';

const LIMIT = 50;

export function BatchesPage() {
  const route = useRoute();
  const { can } = useSession();
  const state = route.query.get('state') ?? '';
  const programCode = route.query.get('programCode') ?? '';
  const offset = Math.max(0, Number(route.query.get('offset')) || 0);
  const list = useGet<BatchList>('/api/v1/batches', { state, programCode, limit: LIMIT, offset });
  const programs = useGet<Program[]>('/programs');
  const [program, setProgram] = useState(programCode);

  return (
    <div className="page">
      <PageHeader title="Batches" sub="Bulk disbursements, newest first.">
        <button type="button" className="btn" onClick={list.reload} disabled={list.loading} data-testid="refresh-button">
          {list.loading ? 'Refreshing…' : 'Refresh'}
        </button>
        {can(SCOPE.bulkSubmit) && (
          <a className="btn btn-primary" href={href('/batches/new')} data-testid="new-batch-link">
            New batch
          </a>
        )}
      </PageHeader>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(route, { programCode: program.trim(), offset: undefined });
        }}
      >
        <label className="field inline">
          <span>State</span>
          <select value={state} onChange={(e) => setQuery(route, { state: e.target.value, offset: undefined })} data-testid="filter-state">
            <option value="">Any state</option>
            {BATCH_STATES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <span>Program</span>
          {programs.data ? (
            <select value={programCode} onChange={(e) => setQuery(route, { programCode: e.target.value, offset: undefined })} data-testid="filter-program">
              <option value="">Any program</option>
              {programs.data.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.code} — {p.name}
                </option>
              ))}
            </select>
          ) : (
            <input value={program} onChange={(e) => setProgram(e.target.value)} placeholder="Program code" data-testid="filter-program" />
          )}
        </label>
        {(state || programCode) && (
          <button type="button" className="btn btn-link" onClick={() => navigate('/batches', true)}>
            Clear filters
          </button>
        )}
      </form>
      <Async state={list} isEmpty={(d) => d.items.length === 0 && offset === 0} empty="No batch matches these filters.">
        {(d) => (
          <>
            <TableWrap label="Batches">
              <table data-testid="batches-table">
                <thead>
                  <tr>
                    <th>Batch</th>
                    <th>Program</th>
                    <th>State</th>
                    <th className="num">Instructions</th>
                    <th className="num">Amount ready</th>
                    <th>Received</th>
                    <th>Finished</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((b) => (
                    <tr key={b.batchId} data-testid={`batch-row-${b.batchId}`} className="clickable" onClick={() => navigate(`/batches/${b.batchId}`)}>
                      <td>
                        <a href={href(`/batches/${b.batchId}`)} onClick={(e) => e.stopPropagation()} title={b.batchId}>
                          {b.externalBatchId ?? shortId(b.batchId)}
                        </a>
                      </td>
                      <td>{b.programCode}</td>
                      <td>
                        <StatusBadge status={b.status} />
                        {b.statusReason && <div className="small muted">{b.statusReason}</div>}
                      </td>
                      <td className="num">{b.instructionCount.toLocaleString()}</td>
                      <td className="num">{money(b.readyAmount, b.currency)}</td>
                      <td>{dateTime(b.createdAt)}</td>
                      <td>{dateTime(b.completedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <Pager offset={offset} limit={LIMIT} count={d.items.length} onChange={(o) => setQuery(route, { offset: o ? String(o) : undefined }, false)} />
          </>
        )}
      </Async>
    </div>
  );
}
