import { describe, expect, it } from 'vitest'
import { buildXml, parseXml, prepareXml, xmlSlot } from './xml.ts'

describe('XML serializer', () => {
  it('writes a declaration, one element per line, two-space indent, escaped text', () => {
    const xml = buildXml({ result: { item: { name: 'a & <b>', n: 5000000000000n, ip: ['1', '2'] } } })
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<result>\n  <item>\n    <name>a &amp; &lt;b&gt;</name>\n    <n>5000000000000</n>\n    <ip>1</ip>\n    <ip>2</ip>\n  </item>\n</result>\n',
    )
    expect((parseXml(xml) as any).result.item.name).toBe('a & <b>')
  })
})

describe('prepareXml', () => {
  const shape = { result: { item: { version: '1.0', name: xmlSlot('name'), size: xmlSlot('size') } } }
  const render = prepareXml(shape)
  it.each([
    ['plain', 'aa12345', 10n],
    ['every special character', `a&b<c>d"e'f`, 2n ** 63n - 1n],
    ['already escaped text', '&amp; &lt;', 0],
    ['unicode and spaces', ' é ü 😀 ', '42'],
  ])('renders the bytes buildXml writes: %s', (_, name, size) => {
    expect(render({ name, size })).toBe(buildXml({ result: { item: { version: '1.0', name, size } } }))
  })
  it('refuses a missing value', () => {
    expect(() => render({ name: 'x' })).toThrow('no value for slot "size"')
  })
})
