import { randomBytes } from '../../core/crypto'
import { Group, RatchetSealer, type Entry, type Genesis } from '../../core/groups'
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
