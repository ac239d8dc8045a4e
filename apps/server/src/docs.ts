import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { MailfrontPlugin, PluginEnv } from '@mailfront/core'
import { hasOpenRpc } from './registry.ts'

export interface MountedPlugin {
  plugin: MailfrontPlugin
  app: OpenAPIHono<PluginEnv>
  prefix: string
  hostname?: string
}

const OPENAPI_VERSION = '3.1.0'

/** One plugin's OpenAPI 3.1 document, paths under its mount prefix. */
export function pluginOpenApi(m: MountedPlugin): Record<string, any> {
  const doc = m.app.getOpenAPI31Document({
    openapi: OPENAPI_VERSION,
    info: {
      title: m.plugin.http.docs.title,
      version: m.plugin.version,
      description: m.plugin.http.docs.description,
    },
    ...(m.hostname ? { servers: [{ url: `https://${m.hostname}` }] } : {}),
  }) as Record<string, any>
  if (m.prefix) {
    const paths: Record<string, unknown> = {}
    for (const [p, v] of Object.entries(doc.paths ?? {})) paths[m.prefix + p] = v
    doc.paths = paths
  }
  return doc
}

function rewriteRefs(node: unknown, rename: (ref: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, rename))
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(node))
      out[k] = k === '$ref' && typeof v === 'string' ? rename(v) : rewriteRefs(v, rename)
    return out
  }
  return node
}

/** Which admin APIs the merged document holds, and where the JSON-RPC ones are described. */
function mergedDescription(mounted: MountedPlugin[]): string {
  const rpc = mounted.filter((m) => hasOpenRpc(m.plugin)).map((m) => m.plugin.http.docs.title)
  return (
    `Admin APIs served by mailfront: ${mounted.map((m) => m.plugin.http.docs.title).join(', ')}.` +
    (rpc.length ? ` The JSON-RPC methods of ${rpc.join(', ')} are described in /openrpc.json.` : '')
  )
}

/** The merged document: components prefixed per plugin, so two providers' names never clash. */
export function mergedOpenApi(mounted: MountedPlugin[], version: string): Record<string, any> {
  const merged: Record<string, any> = {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'mailfront',
      version,
      description: mergedDescription(mounted),
    },
    paths: {},
    components: {},
    tags: [],
  }
  for (const m of mounted) {
    const doc = pluginOpenApi(m)
    const id = m.plugin.id
    const rename = (ref: string) =>
      ref.replace(
        /^#\/components\/([^/]+)\/(.+)$/,
        (_s, kind, name) => `#/components/${kind}/${name.startsWith(id) ? name : `${id}_${name}`}`,
      )
    for (const [kind, entries] of Object.entries(doc.components ?? {})) {
      merged.components[kind] ??= {}
      for (const [name, v] of Object.entries(entries as Record<string, unknown>)) {
        merged.components[kind][name.startsWith(id) ? name : `${id}_${name}`] = rewriteRefs(v, rename)
      }
    }
    for (const [p, item] of Object.entries(doc.paths ?? {})) {
      const tagged = rewriteRefs(item, rename) as Record<string, any>
      for (const op of Object.values(tagged)) {
        if (op && typeof op === 'object' && 'responses' in op) {
          op.tags = [id]
          if (op.security)
            op.security = op.security.map((s: Record<string, unknown>) =>
              Object.fromEntries(Object.entries(s).map(([k, v]) => [k.startsWith(id) ? k : `${id}_${k}`, v])),
            )
          if (op.operationId && !op.operationId.startsWith(id)) op.operationId = `${id}_${op.operationId}`
        }
      }
      merged.paths[p] = tagged
    }
    merged.tags.push({ name: id, description: m.plugin.http.docs.title })
  }
  return merged
}

const require = createRequire(import.meta.url)
export const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'))
export const DOCS_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
}
export const docsAssetPath = (name: string) => join(SWAGGER_UI_DIR, name)

/** The /docs page: Swagger UI served by mailfront itself (no CDN). */
export function docsHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mailfront API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`
}

/**
 * Swagger UI's start: the merged REST document, and one "JSON-RPC methods" document per JSON-RPC
 * plugin (its OpenRPC methods as operations), picked from the top bar.
 */
export function docsInitJs(rpc: { id: string; title: string }[], admin = false): string {
  const urls = [
    { url: '/openapi.json', name: 'REST APIs (merged)' },
    ...rpc.map((r) => ({ url: `/openapi/${r.id}-methods.json`, name: `${r.title}: JSON-RPC methods` })),
    // mailfront's own admin API, a definition of its own (never merged with the providers').
    ...(admin ? [{ url: '/openapi/_mailfront.json', name: 'mailfront admin API (/_mailfront)' }] : []),
  ]
  return `window.ui = SwaggerUIBundle({
  urls: ${JSON.stringify(urls)},
  'urls.primaryName': ${JSON.stringify(urls[0]!.name)},
  dom_id: '#ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`
}
