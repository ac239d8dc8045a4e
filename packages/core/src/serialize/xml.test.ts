import { describe, expect, it } from 'vitest'
import { buildXml, parseXml } from './xml.ts'

describe('XML serializer', () => {
  it('writes a declaration, one element per line, two-space indent, escaped text', () => {
    const xml = buildXml({ result: { item: { name: 'a & <b>', n: 5000000000000n, ip: ['1', '2'] } } })
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<result>\n  <item>\n    <name>a &amp; &lt;b&gt;</name>\n    <n>5000000000000</n>\n    <ip>1</ip>\n    <ip>2</ip>\n  </item>\n</result>\n',
    )
    expect((parseXml(xml) as any).result.item.name).toBe('a & <b>')
  })
})
