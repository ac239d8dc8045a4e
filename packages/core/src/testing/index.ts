export type { ConformanceTarget } from './conformance.ts'
export { conformanceModels, runStorageConformance } from './conformance.ts'
