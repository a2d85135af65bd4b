import type { IdentityKeyPair } from '../identity'
import {
  decodeOneTimePrekey,
  encodeOneTimePrekey,
  encodePublishedOneTimePrekey,
  generateOneTimePrekeys,
  publishOneTimePrekey,
  type OneTimePrekey
} from '../ratchet'
import { keys, type Store } from '../store'

/**
 * Most one-time prekey secrets kept: a box that was wiped, or strangers that took keys and never
 * wrote, would otherwise leave secrets here for ever. The oldest go first; an initial envelope made
 * from one of them is then refused like a replay.
 */
export const MAX_KEPT_ONE_TIME = 200

function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

/**
 * My one-time prekeys: made in batches for my home node to hand out, each secret kept (in the
 * encrypted store) until the session it started is committed — the conversation deletes it in that
 * same write — and the store epoch then ends so it leaves the disk.
 */
export class OneTimeSupply {
  private constructor(
    private readonly store: Store,
    private readonly keysById: Map<number, OneTimePrekey>,
    private next: number,
    private readonly erase: () => Promise<void>
  ) {}

  static async load(store: Store, erase: () => Promise<void>): Promise<OneTimeSupply> {
    const kept = new Map<number, OneTimePrekey>()
    for await (const { value } of store.range(keys.oneTimePrekeys())) {
      const k = decodeOneTimePrekey(value)
      kept.set(k.id, k)
    }
    const stored = await store.get(keys.oneTimeNext())
    const next = stored ? Number(stored.readBigUInt64BE(0)) : 1
    return new OneTimeSupply(store, kept, next, erase)
  }

  get(id: number): OneTimePrekey | null {
    return this.keysById.get(id) ?? null
  }

  get size(): number {
    return this.keysById.size
  }

  /** Makes `count` new ones, stored before they are published; returns their published (signed) forms. */
  async make(identity: IdentityKeyPair, count: number): Promise<Buffer[]> {
    if (count <= 0) return []
    const fresh = generateOneTimePrekeys(this.next, count)
    const evicted = [...this.keysById.keys()].sort((a, b) => a - b).slice(0, Math.max(0, this.keysById.size + count - MAX_KEPT_ONE_TIME))
    const next = this.next + count
    await this.store.write((tx) => {
      for (const k of fresh) tx.put(keys.oneTimePrekey(k.id), encodeOneTimePrekey(k))
      for (const id of evicted) tx.del(keys.oneTimePrekey(id))
      tx.put(keys.oneTimeNext(), u64(next))
    })
    this.next = next
    for (const k of fresh) this.keysById.set(k.id, k)
    this.forget(evicted)
    if (evicted.length > 0) await this.erase()
    return fresh.map((k) => encodePublishedOneTimePrekey(publishOneTimePrekey(identity, k)))
  }

  /** Sessions started from these were committed (their store records deleted in that write): the epoch ends. */
  async used(ids: number[]): Promise<void> {
    if (ids.length === 0) return
    this.forget(ids)
    await this.erase()
  }

  private forget(ids: number[]): void {
    for (const id of ids) {
      this.keysById.get(id)?.secretKey.fill(0)
      this.keysById.delete(id)
    }
  }
}
