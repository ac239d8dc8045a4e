import { realpathSync } from 'node:fs'
import { delimiter, join } from 'node:path'

const real = (p: string) => {
  try {
    return realpathSync(p)
  } catch {
    return undefined
  }
}

/**
 * How the person who started this process runs the CLI, for the commands it prints: `mailfront`
 * when that name on PATH is this very program (a global install, an image that links it), else
 * `npx mailfront`, which finds a clone's or a project's node_modules/.bin. Under npm (`npm start`,
 * `npx`) PATH holds node_modules/.bin for that run only, so npx then too.
 */
export function cliName(env: NodeJS.ProcessEnv = process.env, script = process.argv[1]): string {
  const self = script && !env.npm_command ? real(script) : undefined
  if (self)
    for (const dir of (env.PATH ?? '').split(delimiter))
      if (dir && real(join(dir, 'mailfront')) === self) return 'mailfront'
  return 'npx mailfront'
}
