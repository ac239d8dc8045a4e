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

const SLOT = '\u0001'

/** A placeholder for `prepareXml`: the text of this element is filled in at render time. */
export const xmlSlot = (name: string) => `${SLOT}${name}${SLOT}`

/**
 * A document shape built once with fast-xml-parser, then rendered by filling its slots with escaped
 * text: the same bytes as `buildXml` for the same values, without running the builder per response.
 */
export function prepareXml(doc: XmlObject): (values: Record<string, string | number | bigint>) => string {
  const parts = buildXml(doc).split(SLOT)
  // parts: literal, slot name, literal, slot name, …, literal
  return (values) => {
    let out = parts[0]!
    for (let i = 1; i < parts.length; i += 2) {
      const v = values[parts[i]!]
      if (v === undefined) throw new Error(`prepareXml: no value for slot "${parts[i]}"`)
      out += escapeXmlText(String(v)) + parts[i + 1]!
    }
    return out
  }
}
