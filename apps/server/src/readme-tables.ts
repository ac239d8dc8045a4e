import type { MailfrontPlugin } from '@mailfront/core'
import { pluginOptionDocs, pluginRateLimitDocs, pluginSummary, rateLimitLine } from './registry.ts'

/** The README's generated sections sit between these comments (readme.test.ts checks and rewrites them). */
export const README_MARKERS = {
  options: ['<!-- plugin-options:begin (generated from the plugins) -->', '<!-- plugin-options:end -->'],
  commands: ['<!-- commands:begin (generated from the plugins) -->', '<!-- commands:end -->'],
} as const

/** Text for a table cell: no pipe or line break, and `<…>` outside code spans shown, not read as HTML. */
const cell = (s: string) =>
  s
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ')
    .split('`')
    .map((part, i) => (i % 2 ? part : part.replaceAll('<', '&lt;').replaceAll('>', '&gt;')))
    .join('`')
const code = (s: string) => `\`${s}\``

/** Every plugin's options: one table per plugin, variable, default and meaning. */
export function optionsSection(plugins: readonly MailfrontPlugin[]): string {
  const out: string[] = []
  for (const p of plugins) {
    const docs = pluginOptionDocs(p)
    if (!docs.length) continue
    out.push(
      `\`${p.id}\` (${p.http.docs.title}):`,
      '',
      '| variable | default | meaning |',
      '| --- | --- | --- |',
    )
    for (const d of docs)
      out.push(
        `| ${code(d.env)} | ${d.default !== undefined ? code(d.default) : 'unset'} | ${cell(d.description)} |`,
      )
    const limits = pluginRateLimitDocs(p)
    if (limits.length)
      out.push('', 'Rate limits (defaults):', '', ...limits.map((l) => `- ${cell(rateLimitLine(l))}`))
    out.push('')
  }
  return out.join('\n').trimEnd()
}

/** mailfront's own commands, then each plugin's, grouped by what precedes the last word. */
export function commandsTable(plugins: readonly MailfrontPlugin[]): string {
  const rows: [string, string][] = [
    ['`serve` (default)', 'start the server (flags as in the table above)'],
    ['`fixtures load FILE`', 'validate (errors name the JSON path) and upsert a fixtures file'],
    ['`fixtures export [--out FILE]`', 'everything in the store, secrets as stored hashes'],
    ['`migrate`', 'create or migrate the schema and exit'],
    ['`openapi [--plugin P]`', "print the merged (or one plugin's) OpenAPI 3.1 document"],
    [
      '`ca [--path \\| --install \\| --uninstall]`',
      "print the local CA's certificate (or its file), or add it to (remove it from) this machine's trust store",
    ],
  ]
  for (const p of plugins) {
    const groups = new Map<string, string[]>()
    for (const c of p.cli?.commands ?? []) {
      const head = c.path.slice(0, -1).join(' ')
      groups.set(head, [...(groups.get(head) ?? []), c.path.at(-1)!])
    }
    if (!groups.size) continue
    const names = [...groups].map(([head, last]) => code(`${head} ${last.join('/')}`))
    rows.push([names.join(', '), cell(pluginSummary(p))])
  }
  return ['| command | what it does |', '| --- | --- |', ...rows.map(([c, d]) => `| ${c} | ${d} |`)].join(
    '\n',
  )
}

/** `text` with the section between a pair of markers replaced by `body`. */
export function replaceSection(text: string, [begin, end]: readonly [string, string], body: string): string {
  const i = text.indexOf(begin)
  const j = text.indexOf(end)
  if (i < 0 || j < i) throw new Error(`README: no ${begin} … ${end} section`)
  return `${text.slice(0, i + begin.length)}\n${body}\n${text.slice(j)}`
}
