import { undeclaredRoutes } from '@mailfront/core'
import { buildPluginApp, preparePlugin } from '@mailfront/core/host'
import { createTestContext } from '@mailfront/core/testing'
import { describe, expect, it } from 'vitest'
import { INSTALLED_PLUGINS } from './plugins.ts'

// The route table of each installed plugin against what its declarations registered: a route added
// by hand (app.get, app.all, registerPath beside app.on) would be served without the docs, the auth
// order or the validation the helper gives.
describe("every installed plugin declares its routes through the core's helper", () => {
  for (const make of INSTALLED_PLUGINS) {
    const plugin = make()
    it(`${plugin.id}: no route registered by hand`, () => {
      const app = buildPluginApp(plugin, preparePlugin(plugin, createTestContext()))
      expect(app.routes.length).toBeGreaterThan(0)
      expect(undeclaredRoutes(app)).toEqual([])
    })
  }
})
