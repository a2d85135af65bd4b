import Corestore from 'corestore'
import type { KeyPair } from 'hyperdht'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { randomBytes } from '../../core/crypto'
import { Group, GroupFeed, openGroupLog, RatchetSealer, type Entry, type FeedProblem, type Genesis } from '../../core/groups'
import { generateIdentity, type IdentityKeyPair } from '../../core/identity'
import { bundleOf, generateSignedPrekey, type PrekeyBundle } from '../../core/ratchet'

export interface Person {
  name: string
  id: IdentityKeyPair
  log: Buffer
  sealer: RatchetSealer
}

// One directory of published bundles for every person a test makes, whichever call made them:
// sessions start only from a signed prekey, so a member must find every other member's bundle.
const bundles = new Map<string, PrekeyBundle>()

/** People with signed prekeys published in one directory, each with a log key for one group. */
export function people(...names: string[]): Person[] {
  return names.map((name) => {
    const id = generateIdentity()
    const prekey = generateSignedPrekey(id, 1)
    bundles.set(id.publicKey.toString('hex'), bundleOf(id, prekey))
    const sealer = new RatchetSealer(id, (m) => bundles.get(m.toString('hex')) ?? null, (n) => (n === 1 ? prekey : null))
    return { name, id, log: randomBytes(32), sealer }
  })
}

export function join(p: Person, genesis: Genesis, now?: () => number, invitedSecret?: Buffer): Group {
  return new Group(genesis, { me: p.id, myLog: p.log, sealer: p.sealer, now, invitedSecret })
}

export interface ReplicaOnDisk {
  group: Group
  feed: GroupFeed
  /** The key pair that signs the member's log, which is also their key in the group's swarm. */
  keyPair: KeyPair
  /** Closes the feed and the store, and removes the folder. */
  close(): Promise<void>
}

/** A member's replica on disk: their own group log in a Corestore in a new folder, the group `make` builds on that log's key, and its feed. */
export async function replicaOnDisk(p: Person, make: (log: Buffer) => Group, onProblem: (problem: FeedProblem) => void): Promise<ReplicaOnDisk> {
  const dir = await mkdtemp(joinPath(tmpdir(), 'cairn-groups-'))
  const store = new Corestore(dir)
  const core = await openGroupLog(store, randomBytes(16))
  p.log = core.key as Buffer
  const group = make(p.log)
  const feed = new GroupFeed(store, group, core, onProblem)
  const close = async () => {
    await feed.close()
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
  return { group, feed, keyPair: core.keyPair!, close }
}

/** Polls until the condition holds; fails with the label after the deadline. */
export async function until(condition: () => boolean, label: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Every log's blocks as written, standing in for the replicated Hypercores. */
export class Swarm {
  readonly logs = new Map<string, Buffer[]>()

  append(log: Buffer, entries: Entry | Entry[]): void {
    const key = log.toString('hex')
    const blocks = this.logs.get(key) ?? []
    for (const e of Array.isArray(entries) ? entries : [entries]) {
      if (e.seq !== blocks.length) throw new Error(`append at ${e.seq}, log has ${blocks.length}`)
      blocks.push(e.bytes)
    }
    this.logs.set(key, blocks)
  }

  /** Feeds a group every block it can take, log by log, until nothing more arrives. */
  sync(group: Group): void {
    let progress = true
    while (progress) {
      progress = false
      for (const log of group.logs()) {
        const blocks = this.logs.get(log.toString('hex')) ?? []
        for (let i = group.nextIndex(log); i < blocks.length; i++) {
          group.ingest(log, i, blocks[i])
          progress = true
        }
      }
    }
  }
}

export function texts(g: Group): (string | null)[] {
  return g.messages().map((m) => (m.plaintext ? m.plaintext.toString() : null))
}
