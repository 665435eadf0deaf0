/** The rows of an UPDATE/DELETE ... RETURNING: TypeORM's pg driver hands them back as [rows, count]. */
export function returnedRows<T>(result: unknown): T[] {
  const r = result as [T[], number] | T[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}
