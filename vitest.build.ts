import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

/** Vitest global setup: build the packages once per run (turbo makes it a no-op when up to date). */
export default function build(): void {
  const root = import.meta.dirname
  const turbo = resolve(root, 'node_modules/.bin/turbo')
  const r = spawnSync(turbo, ['run', 'build', '--output-logs=errors-only'], { cwd: root, encoding: 'utf8' })
  if (r.status !== 0)
    throw new Error(`the build (turbo run build) failed:\n${r.error ?? ''}${r.stdout}${r.stderr}`)
}
