import { defaultClientConditions, defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

// Tests import the workspace packages from their TypeScript sources (the `@mailfront/source`
// export condition), so editing a package needs no build. Processes the tests start (the real
// `mailfront` binary) run the built JavaScript, which the global setup brings up to date first.
const SOURCE = '@mailfront/source'

export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
    ],
    globalSetup: ['./vitest.build.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
