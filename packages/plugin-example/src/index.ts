import { definePlugin } from '@mailfront/core'
import { commands } from './cli.ts'
import { demo } from './demo.ts'
import { registerDocs } from './docs.ts'
import { ERRORS, errorBody } from './errors.ts'
import { fixtures } from './fixtures.ts'
import { exampleOptions } from './options.ts'
import { registerRoutes } from './routes.ts'
import { exampleSetup } from './setup.ts'
import { models } from './store.ts'

export { demo } from './demo.ts'
export { ROUTES } from './docs.ts'
export { ERRORS } from './errors.ts'
export { type ExampleFixtures, exampleFixturesSchema } from './fixtures.ts'
export { type ExampleOptions, exampleOptions } from './options.ts'

/** A mail aliases admin API: JSON over HTTP Basic, errors as `{"error":{"code","message"}}`. */
export function examplePlugin() {
  return definePlugin({
    id: 'example',
    version: '1.0',
    summary: 'Example aliases API (the template for a new provider)',
    options: exampleOptions,
    setup: exampleSetup,
    http: {
      paths: ['/example/*'],
      routes(app, ctx) {
        registerDocs(app)
        registerRoutes(app, ctx)
      },
      errors: ERRORS.table,
      renderError: (err, c) => c.json(errorBody(err), err.status as 400),
      docs: {
        kind: 'openapi',
        title: 'Example aliases API',
        description:
          'JSON with HTTP Basic (the admin credential). Errors are `{"error":{"code","message"}}`.',
      },
    },
    cli: { commands },
    data: { models, fixtures, demo },
  })
}

export default examplePlugin
