import { execFile, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { plainEnv } from './plain-env.ts'

const ROOT = resolve(import.meta.dirname, '../../..')

/** Why the container tests cannot run here, or undefined when podman answers. */
export const podmanMissing: string | undefined = (() => {
  const r = spawnSync('podman', ['--version'], { encoding: 'utf8' })
  if (r.error || r.status !== 0)
    return 'podman is not installed (Debian: apt-get install podman runc; .ci/run does)'
  return undefined
})()

/** podman's environment: runc + cgroupfs (scripts/containers.conf) where runc is installed. */
export function podmanEnv(): NodeJS.ProcessEnv {
  const env = plainEnv()
  const runc = spawnSync('runc', ['--version'], { stdio: 'ignore' }).status === 0
  if (!env.CONTAINERS_CONF && runc) env.CONTAINERS_CONF = resolve(ROOT, 'scripts/containers.conf')
  return env
}

/** Run podman; its stdout, trimmed. */
export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('podman', args, {
    env: podmanEnv(),
    maxBuffer: 64 << 20,
    encoding: 'utf8',
  })
  return stdout.trim()
}

export interface BuiltImage {
  tag: string
  /** Seconds `npm run image` took (0 s of work when every layer was cached). */
  seconds: number
  /** Bytes, as `podman image inspect` says. */
  size: number
}

/**
 * `npm run image` for the tests: one build at a time on the machine (flock), so two test files
 * asking at once share the layers instead of compiling twice. The local base is kept between runs.
 * MAILFRONT_TEST_IMAGE names the tag, so that a second test run at once on the machine (the toy
 * provider's copy of the workspace) never replaces the image the first one runs.
 */
export async function buildImage(
  tag = process.env.MAILFRONT_TEST_IMAGE ?? 'localhost/mailfront:test',
): Promise<BuiltImage> {
  const started = Date.now()
  const lock = existsSync('/usr/bin/flock') ? ['flock', '/tmp/mailfront-image.lock'] : []
  const cmd = [...lock, 'bash', resolve(ROOT, 'scripts/image.sh'), tag]
  await promisify(execFile)(cmd[0]!, cmd.slice(1), {
    cwd: ROOT,
    env: podmanEnv(),
    maxBuffer: 64 << 20,
    encoding: 'utf8',
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`npm run image failed: ${e.message}\n${e.stderr?.slice(-4000) ?? ''}`)
  })
  const size = Number(await podman('image', 'inspect', '--format', '{{.Size}}', tag))
  return { tag, seconds: (Date.now() - started) / 1000, size }
}
