// Messengers (no host, no shell) on real profiles in temporary folders, on one loopback testnet,
// for the core tests that look inside a profile folder (erasure, disappearing messages, search).
// A test that moves time opens its nodes with `clock` and moves `now`.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CairnEvent } from '../../core/api/types'
import { createProfile, openMessenger, type Messenger, type MessengerOptions } from '../../core/messenger'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { PASS, waitFor } from './core'

export interface MessengerNode {
  m: Messenger
  events: CairnEvent[]
  dir: string
}

/** Options a test adds to every open: a moved clock, a faster expiry sweep. */
export type NodeOptions = Pick<MessengerOptions, 'clock' | 'expiryCheckMs'>

export class Messengers {
  now = Date.now()
  readonly clock = (): number => this.now
  private testnet: LocalTestnet | null = null
  private readonly dirs: string[] = []
  private readonly open = new Set<Messenger>()

  private readonly options: NodeOptions

  /**
   * tag names the temporary folders. movedClock: every node runs on `now`, which the test moves;
   * expiryCheckMs goes to every open unless a reopen says otherwise.
   */
  constructor(
    private readonly tag: string,
    opts: { movedClock?: boolean; expiryCheckMs?: number } = {}
  ) {
    this.options = {
      ...(opts.movedClock ? { clock: this.clock } : {}),
      ...(opts.expiryCheckMs === undefined ? {} : { expiryCheckMs: opts.expiryCheckMs })
    }
  }

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `cairn-${this.tag}-`))
    this.dirs.push(dir)
    return dir
  }

  async create(name: string): Promise<MessengerNode> {
    this.testnet ??= await createLocalTestnet(3)
    const dir = await this.tempDir()
    return this.track(await createProfile({ profileDir: dir, passphrase: PASS, name, bootstrap: this.testnet.bootstrap, lanDiscovery: false, ...this.options }), dir)
  }

  /** Opens the node's folder again (close it first); `options` replace the fixture's for this open. */
  async reopen(node: MessengerNode, options: NodeOptions = {}): Promise<MessengerNode> {
    const opts = { profileDir: node.dir, passphrase: PASS, bootstrap: this.testnet!.bootstrap, lanDiscovery: false, ...this.options, ...options }
    return this.track(await openMessenger(opts), node.dir)
  }

  async close(node: MessengerNode): Promise<void> {
    await node.m.close()
    this.open.delete(node.m)
  }

  /** For afterEach: closes what is open, stops the testnet, removes the folders and puts the clock back. */
  async cleanup(): Promise<void> {
    for (const m of this.open) await m.close().catch(() => undefined)
    this.open.clear()
    await this.testnet?.destroy()
    this.testnet = null
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true })
    this.now = Date.now()
  }

  private track(m: Messenger, dir: string): MessengerNode {
    this.open.add(m)
    const events: CairnEvent[] = []
    m.on('event', (e: CairnEvent) => events.push(e))
    return { m, events, dir }
  }
}

/** Whether the node has heard a message of this text arrive. */
export const received = (node: MessengerNode, text: string): boolean =>
  node.events.some((e) => e.type === 'message' && e.message.direction === 'in' && e.message.text === text)

export async function exchange(from: MessengerNode, to: MessengerNode, text: string): Promise<void> {
  await from.m.send(to.m.id, text)
  await waitFor(`${text} arrives`, () => received(to, text))
}
