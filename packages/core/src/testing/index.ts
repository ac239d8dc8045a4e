// A plugin's tests prepare its context as the host does (its options and state typed).
export { preparePlugin } from '../setup.ts'
export type { ConformanceTarget } from './conformance.ts'
export { conformanceModels, runStorageConformance } from './conformance.ts'
export type { TestContext } from './context.ts'
export { createTestContext, envOptions, mountPluginForTest } from './context.ts'
export { watch } from './watch.ts'
