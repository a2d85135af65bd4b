import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { CairnErrorShape, CairnEvent } from '../../core/api/types'

const CHILD = new URL('./child.ts', import.meta.url).pathname

/** The test's handle on a node running in a child process (see child.ts). */
export class ChildNode {
  readonly events: CairnEvent[] = []
  private readonly proc: ChildProcess
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>()
  private nextId = 1
  readonly ready: Promise<void>
  readonly exited: Promise<number | null>

  constructor(profileDir: string, bootstrap: unknown) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', CHILD, profileDir, JSON.stringify(bootstrap)], {
      stdio: ['pipe', 'pipe', 'inherit']
    })
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)))
    let onReady: () => void = () => undefined
    this.ready = new Promise((resolve) => (onReady = resolve))
    this.exited.then(() => {
      for (const p of this.pending.values()) p.reject(new Error('child exited'))
      this.pending.clear()
    })
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: true; event?: CairnEvent; id?: number; ok?: boolean; result?: unknown; error?: CairnErrorShape }
      if (msg.ready) return onReady()
      if (msg.event) return void this.events.push(msg.event)
      const p = this.pending.get(msg.id!)
      if (!p) return
      this.pending.delete(msg.id!)
      if (msg.ok) p.resolve(msg.result)
      else p.reject(Object.assign(new Error(msg.error!.message), { code: msg.error!.code }))
    })
  }

  call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.proc.stdin!.write(JSON.stringify({ id, method, args }) + '\n')
    })
  }

  kill(): Promise<number | null> {
    this.proc.kill('SIGKILL')
    return this.exited
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    await this.call('close').catch(() => undefined)
    await this.exited
  }
}
