import type { Row, ScanArgs, StorageAdapter } from './types.ts'

/**
 * Rows of a `serial` model as arrays of the given columns, in id order, after `afterId`: the
 * adapter's raw scan (one prepared statement, no object per row) when it has one, else `findMany`.
 */
export async function scanRows(db: StorageAdapter, a: ScanArgs): Promise<unknown[][]> {
  if (db.scanRaw) return db.scanRaw(a)
  const rows = await db.findMany<Row>({
    model: a.model,
    ...(a.afterId === undefined ? {} : { where: { field: 'id', op: 'gt', value: a.afterId } }),
    sort: [{ field: 'id' }],
    limit: a.limit,
    ...(a.offset ? { offset: a.offset } : {}),
  })
  return rows.map((r) => a.columns.map((c) => (c === 'id' ? Number(r.id) : r[c])))
}
