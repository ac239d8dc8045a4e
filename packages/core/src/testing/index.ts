export type { ConformanceTarget } from './conformance.ts'
export { conformanceModels, runStorageConformance } from './conformance.ts'
export type { TestContext } from './context.ts'
export { createTestContext, envOptions, mountPluginForTest } from './context.ts'
