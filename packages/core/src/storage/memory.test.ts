import { runStorageConformance } from '../testing/conformance.ts'
import { memoryAdapter } from './memory.ts'

runStorageConformance('memory', { make: async () => memoryAdapter() })
