import { expect, it } from 'vitest'
import { type ConformanceScope, names, seed } from './conformance-setup.ts'

/** Reading rows: every where operator, unknown fields, sort/limit/offset. */
export function queryCases(scope: ConformanceScope): void {
  it.each([
    ['eq', { field: 'kind', value: 'odd' }, ['beta', 'delta']],
    ['ne', { field: 'kind', op: 'ne', value: 'odd' }, ['Epsilon', 'alpha', 'gamma']],
    ['lt', { field: 'qty', op: 'lt', value: 20 }, ['alpha', 'beta']],
    ['lte', { field: 'qty', op: 'lte', value: 20 }, ['alpha', 'beta', 'gamma']],
    ['gt', { field: 'qty', op: 'gt', value: 20 }, ['Epsilon', 'delta']],
    ['gte', { field: 'qty', op: 'gte', value: 30 }, ['Epsilon', 'delta']],
    ['in', { field: 'name', op: 'in', value: ['alpha', 'delta', 'zzz'] }, ['alpha', 'delta']],
    ['not_in', { field: 'name', op: 'not_in', value: ['alpha', 'delta'] }, ['Epsilon', 'beta', 'gamma']],
    ['contains', { field: 'name', op: 'contains', value: 'lt' }, ['delta']],
    ['starts_with', { field: 'name', op: 'starts_with', value: 'g' }, ['gamma']],
    ['ends_with', { field: 'name', op: 'ends_with', value: 'a' }, ['alpha', 'beta', 'delta', 'gamma']],
    ['eq ci', { field: 'name', value: 'EPSILON', ci: true }, ['Epsilon']],
    ['starts_with ci', { field: 'name', op: 'starts_with', value: 'e', ci: true }, ['Epsilon']],
    ['eq null', { field: 'note', value: null }, ['Epsilon']],
    ['ne null', { field: 'note', op: 'ne', value: null }, ['alpha', 'beta', 'delta', 'gamma']],
    [
      'and',
      {
        and: [
          { field: 'kind', value: 'even' },
          { field: 'qty', op: 'gt', value: 0 },
        ],
      },
      ['Epsilon', 'gamma'],
    ],
    [
      'or',
      {
        or: [
          { field: 'name', value: 'alpha' },
          { field: 'qty', value: 30 },
        ],
      },
      ['alpha', 'delta'],
    ],
    [
      'and of or (explicit precedence)',
      {
        and: [
          {
            or: [
              { field: 'name', value: 'alpha' },
              { field: 'name', value: 'beta' },
            ],
          },
          { field: 'kind', value: 'odd' },
        ],
      },
      ['beta'],
    ],
    ['empty and', { and: [] }, ['Epsilon', 'alpha', 'beta', 'delta', 'gamma']],
    ['empty or', { or: [] }, []],
  ] as const)('where %s', async (_n, where, expected) => {
    await seed(scope.db)
    expect(names(await scope.db.findMany({ model: 'conf_item', where: where as never }))).toEqual(
      [...expected].sort(),
    )
    expect(await scope.db.count({ model: 'conf_item', where: where as never })).toBe(expected.length)
  })

  it('a where naming an unknown field is rejected, not treated as match-all', async () => {
    await expect(
      scope.db.findMany({ model: 'conf_item', where: { field: 'nmae', value: 'x' } }),
    ).rejects.toThrow(/unknown field/)
  })

  it('findMany with select reads only those fields and id, filtering and sorting on any field', async () => {
    await seed(scope.db)
    const rows = await scope.db.findMany({
      model: 'conf_item',
      where: { field: 'qty', op: 'gt', value: 10 },
      sort: [{ field: 'qty', dir: 'desc' }],
      select: ['name'],
    })
    expect(rows.map((r) => Object.keys(r).sort())).toEqual(rows.map(() => ['id', 'name']))
    expect(rows.map((r) => r.name)).toEqual(['Epsilon', 'delta', 'gamma'])
    await expect(scope.db.findMany({ model: 'conf_item', select: ['nmae'] })).rejects.toThrow(
      /unknown select field "nmae"/,
    )
  })

  it('findMany sorts, limits and offsets', async () => {
    await seed(scope.db)
    const rows = await scope.db.findMany({
      model: 'conf_item',
      sort: [{ field: 'qty', dir: 'desc' }],
      limit: 2,
      offset: 1,
    })
    expect(rows.map((r) => r.name)).toEqual(['delta', 'gamma'])
    const byKind = await scope.db.findMany({
      model: 'conf_item',
      sort: [{ field: 'kind' }, { field: 'qty', dir: 'desc' }],
    })
    expect(byKind.map((r) => r.name)).toEqual(['Epsilon', 'gamma', 'alpha', 'delta', 'beta'])
  })
}
