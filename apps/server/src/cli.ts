import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { type CommandDef, type MailfrontPlugin, stringifyJson } from '@mailfront/core'
import { Command, Option } from 'commander'
import pino from 'pino'
import { addCaCommand } from './ca-command.ts'
import { ConfigError, ENV_SPEC, loadConfig } from './config.ts'
import { mergedOpenApi, pluginOpenApi } from './docs.ts'
import { exportFixtures, FixtureError, loadFixtures, readFixtures } from './fixtures.ts'
import { createLogger, prettyDestination } from './log.ts'
import {
  installedPlugins,
  pluginOptionDocs,
  pluginRateLimitDocs,
  pluginSummary,
  rateLimitLine,
} from './registry.ts'
import type { Runtime } from './runtime.ts'
import { VERSION } from './version.ts'

type Flags = Partial<Record<keyof typeof ENV_SPEC, string>>

function flagsFrom(opts: Record<string, unknown>): Flags {
  const out: Flags = {}
  for (const [env, spec] of Object.entries(ENV_SPEC)) {
    const key = spec.flag
      .replace(/^--/, '')
      .split(' ')[0]!
      .replace(/-([a-z])/g, (_m, ch: string) => ch.toUpperCase())
    const v = opts[key]
    if (v !== undefined) out[env as keyof typeof ENV_SPEC] = String(v)
  }
  return out
}

function addServeFlags(cmd: Command): Command {
  for (const [env, spec] of Object.entries(ENV_SPEC)) {
    cmd.addOption(
      new Option(spec.flag, `${spec.description} [${env}${spec.default ? `, default ${spec.default}` : ''}]`),
    )
  }
  return cmd
}

/** Every installed plugin's options (MAILFRONT_<ID>_<OPTION>), after the flags in `--help`. */
export function pluginOptionsHelp(): string {
  const out = ['', 'Plugin options (environment variables; a bad value stops the start, exit code 2):']
  for (const p of installedPlugins()) {
    const docs = pluginOptionDocs(p)
    if (!docs.length) continue
    out.push(`  ${p.id} (${p.http.docs.title}):`)
    const width = Math.max(...docs.map((d) => d.env.length))
    for (const d of docs)
      out.push(
        `    ${d.env.padEnd(width)}  ${d.description}${d.default !== undefined ? ` [default ${d.default}]` : ''}`,
      )
    for (const l of pluginRateLimitDocs(p)) out.push(`    rate limit ${rateLimitLine(l)}`)
  }
  out.push('  Every plugin also takes MAILFRONT_<ID>_PREFIX and MAILFRONT_<ID>_HOSTNAME (its mount place).')
  return out.join('\n')
}

const print = (v: unknown) =>
  process.stdout.write(typeof v === 'string' ? `${v}\n` : `${stringifyJson(v, 2)}\n`)

/** Open the store (quiet logs) for a one-shot command, and close it after. */
async function withRuntime<T>(
  opts: Record<string, unknown>,
  fn: (rt: Runtime) => Promise<T>,
  only: { existingStore?: boolean } = {},
): Promise<T> {
  const config = loadConfig(process.env, { MAILFRONT_LOG_LEVEL: 'warn', ...flagsFrom(opts) })
  // A command that reads a store must not create an empty one (and its directory) by mistake.
  const file = /^sqlite:(?!:memory:)(.+)$/.exec(config.databaseUrl)?.[1]
  if (only.existingStore && file && !existsSync(file))
    throw new ConfigError(`no store at ${file}: nothing to read (check --data-dir or --database-url)`)
  // Logs of a one-shot command go to stderr, at once: stdout carries the command's own output.
  // Loaded when a command runs: `--help` needs only the plugin objects, not the store or the server.
  const { createRuntime } = await import('./runtime.ts')
  const rt = await createRuntime(
    config,
    createLogger(config.logLevel, pino.destination({ dest: 2, sync: true })),
  )
  try {
    return await fn(rt)
  } finally {
    await rt.close()
  }
}

function addPluginCommand(program: Command, def: CommandDef, plugin: MailfrontPlugin) {
  const pluginId = plugin.id
  let parent = program
  for (const [i, word] of def.path.slice(0, -1).entries()) {
    parent =
      parent.commands.find((c) => c.name() === word) ??
      parent
        .command(word)
        .description(i === 0 && word === pluginId ? pluginSummary(plugin) : `${word} commands`)
  }
  const cmd = parent.command(def.path.at(-1)!).description(def.description)
  for (const a of def.args ?? []) cmd.argument(a.optional ? `[${a.name}]` : `<${a.name}>`, a.description)
  for (const o of def.options ?? []) cmd.option(o.flag, o.description, o.default)
  addStoreFlags(cmd)
  cmd.action(async (...all: unknown[]) => {
    const args = all.slice(0, (def.args ?? []).length) as string[]
    const opts = all[(def.args ?? []).length] as Record<string, string | boolean | undefined>
    await withRuntime(opts, async (rt) => {
      const ctx = rt.contexts.get(pluginId)
      if (!ctx) throw new ConfigError(`plugin "${pluginId}" is not selected (MAILFRONT_PLUGINS)`)
      print(
        await def.run(
          ctx,
          args.filter((a) => a !== undefined),
          opts,
        ),
      )
    })
  })
}

function addStoreFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data directory [MAILFRONT_DATA_DIR]')
    .option('--database-url <url>', 'store [MAILFRONT_DATABASE_URL]')
    .option('--plugins <list>', 'plugins [MAILFRONT_PLUGINS]')
}

export function buildProgram(): Command {
  const program = new Command('mailfront')
    .description(
      `A self-hostable stand-in for these admin APIs: ${installedPlugins()
        .map((p) => p.http.docs.title)
        .join(', ')}.`,
    )
    .version(VERSION)
    .showHelpAfterError()

  program.addHelpText('after', pluginOptionsHelp)
  addServeFlags(
    program.command('serve', { isDefault: true }).description('Start the server (the default command)'),
  )
    .addHelpText('after', pluginOptionsHelp)
    .action(async (opts) => {
      const config = loadConfig(process.env, flagsFrom(opts))
      // A person at a terminal reads colored lines; anything else (a file, a collector) gets JSON lines.
      const log = createLogger(config.logLevel, process.stdout.isTTY ? prettyDestination() : undefined)
      // The reader of stdout may go away (`mailfront serve | head -1`): the banner's later lines are
      // dropped then, and the server serves on; an unheard EPIPE would end the process.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') log.warn({ err: e }, 'stdout failed')
      })
      const { serve } = await import('./serve.ts')
      const running = await serve(config, log)
      const onSignal = (sig: string) => {
        log.info({ signal: sig }, 'signal received')
        const exit = async (code: number) => {
          await log.flushWithin(1000)
          log.flushSync()
          process.exit(code)
        }
        running.stop().then(
          () => exit(0),
          (e) => {
            log.error({ err: e }, 'shutdown failed')
            return exit(1)
          },
        )
      }
      process.once('SIGTERM', () => onSignal('SIGTERM'))
      process.once('SIGINT', () => onSignal('SIGINT'))
    })

  const fixtures = program.command('fixtures').description('Load or export fixtures')
  addStoreFlags(
    fixtures
      .command('load')
      .description('Load a fixtures file (idempotent upserts)')
      .argument('<file>', 'JSON fixtures file'),
  ).action(async (file: string, opts) => {
    await withRuntime(opts, async (rt) =>
      print({ loaded: await loadFixtures(file, await readFixtures(file), rt.plugins, rt.contexts) }),
    )
  })
  addStoreFlags(
    fixtures
      .command('export')
      .description('Export everything (secrets as stored hashes)')
      .option('--out <file>', 'write to a file instead of stdout'),
  ).action(async (opts) => {
    await withRuntime(
      opts,
      async (rt) => {
        const data = stringifyJson(await exportFixtures(rt.plugins, rt.contexts), 2)
        if (opts.out) await writeFile(opts.out, `${data}\n`)
        else print(data)
      },
      { existingStore: true },
    )
  })
  addStoreFlags(program.command('migrate').description('Create or migrate the schema, then exit')).action(
    async (opts) => {
      await withRuntime(opts, async (rt) =>
        print({ migrated: rt.storage.id, plugins: rt.plugins.map((p) => p.id) }),
      )
    },
  )
  addStoreFlags(
    program
      .command('openapi')
      .description('Print the OpenAPI 3.1 document')
      .option('--plugin <id>', 'one plugin only'),
  ).action(async (opts) => {
    await withRuntime({ ...opts, databaseUrl: opts.databaseUrl ?? 'memory:' }, async (rt) => {
      if (opts.plugin) {
        const m = rt.mounted.find((x) => x.plugin.id === opts.plugin)
        if (!m) throw new ConfigError(`no mounted plugin "${opts.plugin}"`)
        print(pluginOpenApi(m))
      } else print(mergedOpenApi(rt.mounted, VERSION))
    })
  })
  addCaCommand(program, (m) => new ConfigError(m))
  for (const p of installedPlugins())
    for (const def of p.cli?.commands ?? []) addPluginCommand(program, def, p)
  return program
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv)
  } catch (e) {
    if (e instanceof ConfigError || e instanceof FixtureError) {
      process.stderr.write(`mailfront: ${e.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`mailfront: ${(e as Error).message}\n`)
    process.exit(1)
  }
}
