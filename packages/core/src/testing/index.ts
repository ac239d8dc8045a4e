export { runStorageConformance, conformanceModels } from './conformance.ts'
export type { ConformanceTarget } from './conformance.ts'
