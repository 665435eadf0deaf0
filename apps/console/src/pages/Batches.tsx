import { useState } from 'react';
import { num } from '../components/DataTable';
import { Field } from '../components/Field';
import { FilterForm, QuerySelect } from '../components/Filters';
import { offsetOf, PagedTable } from '../components/Paging';
import { useGet } from '../hooks';
import { href, navigate, setQuery, useRoute } from '../router';
import { useSession, SCOPE } from '../session';
import { BATCH_STATES, type BatchList, type Program } from '../types';
import { PageHeader, StatusBadge } from '../ui';
import { dateTime, money, shortId } from '../format';

const LIMIT = 50;

export function BatchesPage() {
  const route = useRoute();
  const { can } = useSession();
  const state = route.query.get('state') ?? '';
  const programCode = route.query.get('programCode') ?? '';
  const offset = offsetOf(route);
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
      <FilterForm onSubmit={() => setQuery(route, { programCode: program.trim(), offset: undefined })}>
        <Field label="State" inline>
          <QuerySelect param="state" choices={BATCH_STATES} any="Any state" testId="filter-state" />
        </Field>
        <Field label="Program" inline>
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
        </Field>
        {(state || programCode) && (
          <button type="button" className="btn btn-link" onClick={() => navigate('/batches', true)}>
            Clear filters
          </button>
        )}
      </FilterForm>
      <PagedTable
        state={list}
        limit={LIMIT}
        empty="No batch matches these filters."
        label="Batches"
        testId="batches-table"
        columns={['Batch', 'Program', 'State', num('Instructions'), num('Amount ready'), 'Received', 'Finished']}
        row={(b) => (
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
        )}
      />
    </div>
  );
}
