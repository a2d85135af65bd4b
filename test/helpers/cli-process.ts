// Runs the real `cairn` binary as child processes for the CLI tests, and keeps track of every child
// so a test's afterEach can kill whatever is still running.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliEnv {
  profile?: string
  bootstrap?: string
  passphrase?: string
  backupPassphrase?: string
}

const children = new Set<ChildProcessWithoutNullStreams>()

/** The child's environment: nothing Cairn-related leaks in from the test runner's own. */
function childEnv(env: CliEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env }
  for (const key of Object.keys(out)) if (key.startsWith('CAIRN_')) delete out[key]
  if (env.profile !== undefined) out.CAIRN_PROFILE = env.profile
  if (env.bootstrap !== undefined) out.CAIRN_BOOTSTRAP = env.bootstrap
  if (env.passphrase !== undefined) out.CAIRN_PASSPHRASE = env.passphrase
  if (env.backupPassphrase !== undefined) out.CAIRN_BACKUP_PASSPHRASE = env.backupPassphrase
  return out
}

function spawnCli(args: string[], env: CliEnv): ChildProcessWithoutNullStreams {
  // --no-lan everywhere: multicast DNS must never leave a test on the host's network.
  const child = spawn(process.execPath, [BIN, '--no-lan', ...args], { cwd: ROOT, env: childEnv(env) })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Runs one command to completion (bounded by timeoutMs, then killed). */
export function cli(args: string[], env: CliEnv = {}, opts: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawnCli(args, env)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  child.stdin.end(opts.input ?? '')
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** A long-running `cairn run` / `cairn serve`: its stdout JSON lines collected as they come. */
export class CliNode {
  readonly child: ChildProcessWithoutNullStreams
  readonly lines: string[] = []
  stderr = ''
  private readonly exited: Promise<number | null>

  constructor(args: string[], env: CliEnv) {
    this.child = spawnCli(args, env)
    let partial = ''
    this.child.stdout.on('data', (c: Buffer) => {
      const parts = (partial + c.toString()).split('\n')
      partial = parts.pop() ?? ''
      this.lines.push(...parts)
    })
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()))
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)))
  }

  events(): Record<string, unknown>[] {
    return this.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
  }

  /** Polls until an event matches, or fails with what was seen after timeoutMs. */
  async waitForEvent(match: (e: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const found = await until(() => this.events().find(match), timeoutMs)
    if (!found) throw new Error(`no matching event within ${timeoutMs} ms; stdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`)
    return found
  }

  /** Resolves once the node says it is online (its control socket is up). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const ok = await until(() => this.stderr.includes('online as') || this.child.exitCode !== null || undefined, timeoutMs)
    if (!ok || this.child.exitCode !== null) throw new Error(`node did not come online: ${this.stderr}`)
  }

  /** Asks the node to stop (SIGTERM by default) and waits for its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    return this.exited
  }

  exit(): Promise<number | null> {
    return this.exited
  }
}

export async function until<T>(probe: () => T | undefined | false, timeoutMs: number, everyMs = 50): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > deadline) return undefined
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** Kills every child still running; for afterEach. */
export async function killAll(): Promise<void> {
  const waiting = [...children].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  }))
  await Promise.all(waiting)
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

/**
 * Runs one command on a real pseudo-terminal (util-linux `script`), typing each of `answers` when a
 * passphrase prompt appears. Resolves with everything the terminal showed.
 */
export function cliOnTerminal(args: string[], env: CliEnv, answers: string[], timeoutMs = 30_000): Promise<CliResult> {
  const command = [process.execPath, BIN, '--no-lan', ...args].map(shellQuote).join(' ')
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: childEnv(env) })
  children.add(child)
  let shown = ''
  let prompts = 0
  child.stdout.on('data', (c: Buffer) => {
    shown += c.toString()
    const seen = (shown.match(/passphrase: /gi) ?? []).length
    while (prompts < seen && prompts < answers.length) child.stdin.write(answers[prompts++])
  })
  child.stderr.on('data', (c: Buffer) => (shown += c.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code, stdout: shown, stderr: '' })
    })
  })
}
