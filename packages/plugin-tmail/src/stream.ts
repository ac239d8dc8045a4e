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
 */
export function streamJsonArray<T extends Row>(
  db: StorageAdapter,
  model: string,
  toJson: (row: T) => string,
  opts: StreamOptions<T> = {},
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
              ? await db.findMany<T>({
                  model,
                  ...(last === undefined ? {} : { where: { field: 'id', op: 'gt', value: last } }),
                  sort: [{ field: 'id' }],
                  limit: take,
                  ...(skip ? { offset: skip } : {}),
                })
              : []
          skip = 0
          let chunk = opened ? '' : '['
          opened = true
          const shown = opts.mapBatch && rows.length ? await opts.mapBatch(rows) : rows
          for (const row of shown) {
            if (row === null) continue
            chunk += (first ? '' : ',') + toJson(row)
            first = false
          }
          remaining -= rows.length
          if (rows.length) last = Number(rows[rows.length - 1]!.id)
          if (rows.length < take || remaining <= 0 || take === 0) {
            chunk += ']'
            done = true
          }
          controller.enqueue(enc.encode(chunk))
          if (done) controller.close()
        } catch (e) {
          // The status line is gone already: cut the response so the client sees it incomplete.
          opts.log?.error({ err: e, model }, 'streaming a list failed')
          done = true
          controller.error(e)
        }
      },
    },
    { highWaterMark: 1 },
  )
}
