import { defaultClientConditions, defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

// Tests import the workspace packages from their TypeScript sources (the `@mailfront/source`
// export condition), so editing a package needs no build before its unit tests. The end-to-end
// tests start the real `mailfront` binary (and pack the packages), which run the built JavaScript:
// their project's global setup brings the build up to date first, once per run.
const SOURCE = '@mailfront/source'

export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          globalSetup: ['./vitest.build.ts'],
        },
      },
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
