import type { ReactNode } from 'react';
import { TableWrap } from '../ui';

/** A column heading: its text, or `num(text)` for a right-aligned number column. */
export type Column = string | { label: string; num: true };

export const num = (label: string): Column => ({ label, num: true });

/** A scrollable table with one header row; `children` are the body rows, `foot` the rows of a footer. */
export function DataTable({
  label,
  testId,
  className,
  columns,
  children,
  foot,
}: {
  label: string;
  testId?: string;
  className?: string;
  columns: Column[];
  children: ReactNode;
  foot?: ReactNode;
}) {
  return (
    <TableWrap label={label}>
      <table data-testid={testId} className={className}>
        <thead>
          <tr>
            {columns.map((c, i) =>
              typeof c === 'string' ? (
                <th key={i}>{c}</th>
              ) : (
                <th key={i} className="num">
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
        {foot && <tfoot>{foot}</tfoot>}
      </table>
    </TableWrap>
  );
}
