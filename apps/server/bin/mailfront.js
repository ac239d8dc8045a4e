#!/usr/bin/env node
// Runs the TypeScript sources directly (internal packages are consumed as source).
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli.ts')
await main(process.argv)
