import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterEach } from 'vitest'
import type { CairnErrorShape, CairnEvent } from '../../core/api/types'
import type { Fixture } from './core'

const CHILD = new URL('./child.ts', import.meta.url).pathname

/** The test's handle on a node running in a child process (see child.ts). */
export class ChildNode {
  readonly events: CairnEvent[] = []
  private readonly proc: ChildProcess
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>()
  private nextId = 1
  private killed = false
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
      let msg: { ready?: true; event?: CairnEvent; id?: number; ok?: boolean; result?: unknown; error?: CairnErrorShape }
      try {
        msg = JSON.parse(line) as typeof msg
      } catch (err) {
        // a child killed while writing a line leaves it cut short (an uncaught error in the test run before)
        if (this.killed) return
        throw err
      }
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
    this.killed = true
    this.proc.kill('SIGKILL')
    return this.exited
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    await this.call('close').catch(() => undefined)
    await this.exited
  }
}

export interface ChildNodes {
  /** A node in a child process on the profile folder, on the fixture's testnet, once it is ready. */
  spawn(profileDir: string): Promise<ChildNode>
  /** Kills a node with SIGKILL and forgets it: nothing is left for afterEach to kill. */
  kill(node: ChildNode): Promise<void>
  /** Forgets a node this test already killed or closed. */
  forget(node: ChildNode): void
}

/**
 * Child nodes for a test file: every one still running after a test is killed, then the fixture is
 * cleaned up (in that order: a live child still holds its profile folder and the testnet).
 */
export function useChildNodes(f: Fixture): ChildNodes {
  const children = new Set<ChildNode>()
  afterEach(async () => {
    for (const c of children) await c.kill()
    children.clear()
    await f.cleanup()
  })
  return {
    async spawn(profileDir) {
      const node = new ChildNode(profileDir, (await f.net()).bootstrap)
      children.add(node)
      await node.ready
      return node
    },
    async kill(node) {
      await node.kill()
      children.delete(node)
    },
    forget(node) {
      children.delete(node)
    }
  }
}
