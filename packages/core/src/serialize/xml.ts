import { XMLBuilder, XMLParser } from 'fast-xml-parser'

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

type XmlValue = string | number | bigint | boolean | null | undefined | XmlObject | XmlValue[]
export interface XmlObject {
  [name: string]: XmlValue
}

// One builder for every document: two-space indent, one element per line, text escaped.
const builder = new XMLBuilder({
  format: true,
  indentBy: '  ',
  suppressEmptyNode: false,
  processEntities: true,
})

function normalize(v: XmlValue): unknown {
  if (typeof v === 'bigint') return v.toString()
  if (Array.isArray(v)) return v.map(normalize)
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, val] of Object.entries(v)) out[k] = normalize(val)
    return out
  }
  return v ?? ''
}

/** `<?xml …?>` then the document, `\n` line endings, no blank lines, no trailing text. */
export function buildXml(doc: XmlObject): string {
  return `${XML_DECLARATION}\n${builder.build(normalize(doc))}`
}

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, trimValues: true })

export function parseXml(xml: string): Record<string, unknown> {
  return parser.parse(xml, true) as Record<string, unknown>
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
export function escapeXmlText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!)
}
