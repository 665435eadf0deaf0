import type { ReactNode } from 'react';
import type { ApiError } from '../api';
import { setQuery, useRoute, type Route } from '../router';
import { Async, Pager } from '../ui';
import { DataTable, type Column } from './DataTable';

/** The row offset kept in the query string (0 when absent or nonsense). */
export const offsetOf = (route: Route): number => Math.max(0, Number(route.query.get('offset')) || 0);

/** The pager of a list whose offset is kept in the query string. */
export function RoutePager({ limit, count }: { limit: number; count: number }) {
  const route = useRoute();
  return <Pager offset={offsetOf(route)} limit={limit} count={count} onChange={(o) => setQuery(route, { offset: o ? String(o) : undefined }, false)} />;
}

/** One page of a list (`limit` rows from the offset in the query string) as a table, with the pager under it. */
export function PagedTable<T>({
  state,
  limit,
  empty,
  label,
  testId,
  columns,
  row,
}: {
  state: { data: { items: T[] } | undefined; error: ApiError | undefined; loading: boolean };
  limit: number;
  /** Shown when the first page is empty. */
  empty: string;
  label: string;
  testId: string;
  columns: Column[];
  row: (item: T) => ReactNode;
}) {
  const offset = offsetOf(useRoute());
  return (
    <Async state={state} isEmpty={(d) => d.items.length === 0 && offset === 0} empty={empty}>
      {(d) => (
        <>
          <DataTable label={label} testId={testId} columns={columns}>
            {d.items.map(row)}
          </DataTable>
          <RoutePager limit={limit} count={d.items.length} />
        </>
      )}
    </Async>
  );
}
