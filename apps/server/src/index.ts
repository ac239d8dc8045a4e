export { createMailfront, VERSION } from './app.ts'
export { loadConfig } from './config.ts'
export { createRuntime } from './runtime.ts'
export { serve } from './serve.ts'
