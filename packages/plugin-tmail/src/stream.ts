import type { Logger, Row, StorageAdapter } from '@mailfront/core'

export interface StreamOptions<T extends Row = Row> {
  /** Our extension: at most this many rows. */
  limit?: number
  /** Our extension: skip this many rows first. */
  offset?: number
  batch?: number
  log?: Logger
  /** Transform a batch before it is written (null drops a row): one call per batch, not per row. */
  mapBatch?: (rows: T[]) => Promise<(T | null)[]>
}

const enc = new TextEncoder()

/**
 * A JSON array of every row, in id order, read in keyset batches (`id > last`) so memory stays flat
 * however large the table. Pull-driven: a slow client slows the reads instead of filling memory.
 * `read` fetches a batch, `render` writes a batch's rows as JSON texts (null drops a row).
 */
function keysetJsonArray<R>(
  read: (a: { afterId?: number; limit: number; offset: number }) => Promise<R[]>,
  render: (rows: R[]) => Promise<(string | null)[]> | (string | null)[],
  idOf: (row: R) => number,
  opts: { limit?: number; offset?: number; batch?: number; log?: Logger; model?: string },
): ReadableStream<Uint8Array> {
  const batch = opts.batch ?? 1000
  let remaining = opts.limit ?? Number.POSITIVE_INFINITY
  let skip = opts.offset ?? 0
  let last: number | undefined
  let first = true
  let opened = false
  let done = false
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (done) return
        try {
          const take = Math.min(batch, remaining)
          const rows =
            take > 0
              ? await read({ ...(last === undefined ? {} : { afterId: last }), limit: take, offset: skip })
              : []
          skip = 0
          let chunk = opened ? '' : '['
          opened = true
          for (const text of rows.length ? await render(rows) : []) {
            if (text === null) continue
            chunk += (first ? '' : ',') + text
            first = false
          }
          remaining -= rows.length
          if (rows.length) last = idOf(rows[rows.length - 1]!)
          if (rows.length < take || remaining <= 0 || take === 0) {
            chunk += ']'
            done = true
          }
          controller.enqueue(enc.encode(chunk))
          if (done) controller.close()
        } catch (e) {
          // The status line is gone already: cut the response so the client sees it incomplete.
          opts.log?.error({ err: e, ...(opts.model ? { model: opts.model } : {}) }, 'streaming a list failed')
          done = true
          controller.error(e)
        }
      },
    },
    { highWaterMark: 1 },
  )
}

/** Every row of a model as a JSON array (see keysetJsonArray). */
export function streamJsonArray<T extends Row>(
  db: StorageAdapter,
  model: string,
  toJson: (row: T) => string,
  opts: StreamOptions<T> = {},
): ReadableStream<Uint8Array> {
  return keysetJsonArray<T>(
    ({ afterId, limit, offset }) =>
      db.findMany<T>({
        model,
        ...(afterId === undefined ? {} : { where: { field: 'id', op: 'gt', value: afterId } }),
        sort: [{ field: 'id' }],
        limit,
        ...(offset ? { offset } : {}),
      }),
    async (rows) => {
      const shown = opts.mapBatch ? await opts.mapBatch(rows) : rows
      return shown.map((row) => (row === null ? null : toJson(row)))
    },
    (row) => Number(row.id),
    { ...opts, model },
  )
}

/**
 * The same JSON array from raw rows (arrays of stored values, the id first), so a long list makes
 * no object per row.
 */
export function streamRawJsonArray(
  read: (a: { afterId?: number; limit: number; offset: number }) => Promise<unknown[][]>,
  render: (rows: unknown[][]) => Promise<(string | null)[]> | (string | null)[],
  opts: Omit<StreamOptions, 'mapBatch'> = {},
): ReadableStream<Uint8Array> {
  return keysetJsonArray(read, render, (row) => Number(row[0]), opts)
}
