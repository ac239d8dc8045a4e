import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

/** `taskset` pins the servers to one core and the load generator to another, when it exists. */
export const TASKSET = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

export interface Proc {
  child: ChildProcess
  url: string
  stop(): Promise<void>
}

/** Start a process, resolve with its URL once it prints one (`listening <port>`, `mailfront <url>`, Prism's line). */
export function startProc(args: string[], env: Record<string, string> = {}, cpu = '0'): Promise<Proc> {
  const [cmd, ...rest] = TASKSET
    ? ['taskset', '-c', cpu, process.execPath, ...args]
    : [process.execPath, ...args]
  const child = spawn(cmd!, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address from ${args.join(' ')}:\n${out}`)), 60_000)
    let found = false
    const onData = (b: Buffer) => {
      if (found) return // keep draining the pipe, keep nothing
      out += b.toString()
      const m =
        /listening (\d+)/.exec(out) ??
        /mailfront (https?:\/\/\S+)/.exec(out) ??
        /Prism is listening on (https?:\/\/\S+)/.exec(out)
      if (!m) return
      found = true
      clearTimeout(timer)
      const url = m[1]!.startsWith('http') ? m[1]! : `http://127.0.0.1:${m[1]}`
      resolve({
        child,
        url,
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r()
            child.once('exit', () => r())
            child.kill('SIGTERM')
          }),
      })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (b: Buffer) => {
      if (!found) out += b.toString()
    })
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`)))
  })
}

/** Resident memory of a process in kB (Linux), or null elsewhere. */
export function rssKb(pid: number): number | null {
  const f = `/proc/${pid}/status`
  if (!existsSync(f)) return null
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(f, 'utf8'))
  return m ? Number(m[1]) : null
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
})()

/** A process's CPU time so far (user + system, all threads) in µs, from /proc (Linux), or null. */
export function cpuUs(pid: number): number | null {
  const f = `/proc/${pid}/stat`
  if (!existsSync(f)) return null
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const rest = readFileSync(f, 'utf8').split(') ').pop()!.split(' ')
  return ((Number(rest[11]) + Number(rest[12])) / CLK_TCK) * 1e6
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
