// The root's `prepare` (the last step of `npm ci`): compile better-sqlite3 from source and build the
// TypeScript once, so the first `npm start` is as fast as the next. It says what it starts, streams
// the tools' own output, and during a long quiet stretch (sqlite3.c is one compiler call of a minute
// or more) says every 15 s that the step still runs. `--native` compiles only (the Dockerfile's use).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

const root = join(import.meta.dirname, '..')
const say = (m) => console.log(`mailfront: ${m}`)
const seconds = (since) => Math.round((Date.now() - since) / 1000)

function step(label, short, args, cwd) {
  say(`${label}…`)
  const started = Date.now()
  let quietSince = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    const pass = (to) => (b) => {
      quietSince = Date.now()
      to.write(b)
    }
    child.stdout.on('data', pass(process.stdout))
    child.stderr.on('data', pass(process.stderr))
    const beat = setInterval(() => {
      if (Date.now() - quietSince < 15_000) return
      say(`still ${short} (${seconds(started)} s)`)
      quietSince = Date.now()
    }, 1000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearInterval(beat)
      if (code !== 0) return reject(new Error(`${label} failed (exit ${code})`))
      say(`done ${short} in ${seconds(started)} s`)
      resolve()
    })
  })
}

// npm gives its own node-gyp to lifecycle scripts; outside one, the one beside this Node's npm.
const nodeGyp =
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: npm sets it for lifecycle scripts; no turbo task reads it
  process.env.npm_config_node_gyp ??
  join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')
const sqlite = join(root, 'node_modules/better-sqlite3')
if (!existsSync(sqlite)) say('better-sqlite3 is not installed: nothing to compile')
else if (existsSync(join(sqlite, 'build/Release/better_sqlite3.node')))
  say('better-sqlite3 is compiled already')
else
  await step(
    'compiling better-sqlite3 from source with python3, make and g++ (SQLite itself is one long compiler call)',
    'compiling better-sqlite3',
    [nodeGyp, 'rebuild', '--release'],
    sqlite,
  )
if (!process.argv.includes('--native'))
  await step(
    'building the TypeScript (tsc -b: each project named as it starts)',
    'building the TypeScript',
    [join(root, 'node_modules/typescript/bin/tsc'), '-b', '--verbose', 'tsconfig.build.json'],
    root,
  )
