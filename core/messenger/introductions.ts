// Starting a conversation with someone who is away, through their home node (issue 15, scenario 3).
//
// The one asking (Carol): while her request to Bob is not answered and Bob is not connected, she
// looks up Bob's inbox topic; a peer there other than Bob himself that serves a bundle sealed for
// Bob's identity and signed by it is his home node. She takes his bundle and one of his one-time
// prekeys from it, starts the session (what she wrote meanwhile is sealed now), and leaves
// introductions sealed to Bob: her name, her log's key, her home node, and the envelopes of her log
// so far — again later for what she writes next, while Bob stays away. The box holds them; it can
// read none of it. Her messages then show as delivered to his home node.
//
// The one asked (Bob): his messenger takes the introductions from his box. One from a stranger is
// shown as a contact request only if its first envelope opens (only the identity's holder can write
// one); accepting it makes the contact with their log and home node and reads the envelopes as the
// first blocks of their log, deleting the one-time prekey in the same write.
import HyperDHT from 'hyperdht'
import { HomeClient, openBundle, sealRequest, type Introduction } from '../home'
import { encodeIntroduction, introductionOverhead, MAX_INTRODUCED_ENVELOPES } from '../home/introduction'
import { MAX_REQUEST_PLAINTEXT } from '../home/sealed'
import type { IdentityKeyPair } from '../identity'
import { MAX_ENVELOPE_BYTES } from '../protocol/limits'
import { inboxTopic } from '../protocol/topics'
import { decodeBundle, decodePublishedOneTimePrekey } from '../ratchet'
import type { Conversation } from './conversation'

/** Peers looked at on someone's inbox topic, and how long one may take to answer. */
const MAX_CANDIDATES = 6
const ANSWER_MS = 5_000
// Looking for the box of someone who has none costs a DHT lookup: tried again after 10 s, then
// twice as long each time, up to an hour.
const FIRST_RETRY_MS = 10_000
const MAX_RETRY_MS = 60 * 60_000

export interface IntroducerDeps {
  identity: IdentityKeyPair
  name(): string
  dht(): HyperDHT
  /** My own home node, which my introduction names so they can read my log while I am away. */
  homeBox(): Buffer | null
}

/** Carol's side: finds the box of a contact she asked who is away, starts there and leaves introductions. */
export class Introducer {
  private readonly retry = new Map<string, { at: number; delay: number }>()

  constructor(
    private readonly deps: IntroducerDeps,
    private readonly clock: () => number = Date.now
  ) {}

  /** One step for one conversation; does nothing unless my request is unanswered and they are away. */
  async step(c: Conversation): Promise<void> {
    const rec = c.record
    if (!rec.requested || rec.blocked || c.presence !== 'offline') return
    if (!rec.introBox) {
      if (rec.bundle) return
      const wait = this.retry.get(c.key.hex)
      if (wait && this.clock() < wait.at) return
      const found = await this.findBox(c)
      if (!found) {
        const delay = wait ? Math.min(wait.delay * 2, MAX_RETRY_MS) : FIRST_RETRY_MS
        this.retry.set(c.key.hex, { at: this.clock() + delay, delay })
        return
      }
      this.retry.delete(c.key.hex)
      await c.update(() => ({ bundle: found.bundle, ...(found.oneTime ? { oneTime: found.oneTime } : {}), introBox: found.box }))
      await c.sealQueued()
    }
    await this.introduce(c)
  }

  private async findBox(c: Conversation): Promise<{ box: string; bundle: string; oneTime: string | null } | null> {
    const inbox = inboxTopic(c.key.bytes)
    const candidates = new Map<string, Buffer>()
    for await (const reply of this.deps.dht().lookup(inbox)) {
      for (const peer of reply.peers) {
        if (!peer.publicKey.equals(c.key.bytes) && candidates.size < MAX_CANDIDATES) candidates.set(peer.publicKey.toString('hex'), peer.publicKey)
      }
    }
    for (const [hex, key] of candidates) {
      const client = await HomeClient.connect(key, { keyPair: this.visitorKey(), dht: this.deps.dht(), timeoutMs: ANSWER_MS }).catch(() => null)
      if (client === null) continue
      try {
        const served = await withTimeout(client.bundle(inbox))
        const bundle = openBundle(c.key.bytes, served.bundle)
        decodeBundle(bundle, c.key.bytes)
        let oneTime: string | null = null
        if (served.oneTime !== null) {
          try {
            decodePublishedOneTimePrekey(served.oneTime, c.key.bytes)
            oneTime = served.oneTime.toString('hex')
          } catch {
            oneTime = null
          }
        }
        return { box: hex, bundle: bundle.toString('hex'), oneTime }
      } catch {
        continue
      } finally {
        await client.close()
      }
    }
    return null
  }

  /** Leaves what of my log they have not been handed yet, in as few introductions as it fits. */
  private async introduce(c: Conversation): Promise<void> {
    const log = c.cores.mine
    const from = c.record.introduced ?? 0
    if (!log?.key || !c.record.introBox || log.length <= from) return
    const box = Buffer.from(c.record.introBox, 'hex')
    const client = await HomeClient.connect(box, { keyPair: this.visitorKey(), dht: this.deps.dht(), timeoutMs: ANSWER_MS })
    try {
      let next = from
      while (next < log.length) {
        const intro = await this.pack(c, next, log.length)
        // a block too large for an introduction waits in my log, and so does what follows it
        if (intro.envelopes.length === 0) break
        await withTimeout(client.deposit(inboxTopic(c.key.bytes), sealRequest(c.key.bytes, encodeIntroduction(intro))))
        next = intro.from + intro.envelopes.length
        await c.update(() => ({ introduced: next }))
        await c.reachedHome(next)
      }
    } finally {
      await client.close()
    }
  }

  private async pack(c: Conversation, from: number, to: number): Promise<Introduction> {
    const log = c.cores.mine!
    const name = this.deps.name()
    let room = MAX_REQUEST_PLAINTEXT - introductionOverhead(Buffer.byteLength(name))
    const envelopes: Buffer[] = []
    for (let i = from; i < to && envelopes.length < MAX_INTRODUCED_ENVELOPES; i++) {
      const block = (await log.get(i))!
      const cost = block.byteLength + 3
      if (cost > room) break
      room -= cost
      envelopes.push(block)
    }
    return { identity: this.deps.identity.publicKey, name, logKey: log.key!, home: this.deps.homeBox(), from, envelopes }
  }

  /** A key of its own for each visit: the box learns nothing that links two of them to me. */
  private visitorKey() {
    return HyperDHT.keyPair()
  }
}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the home node did not answer in time')), ANSWER_MS)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

/** Bob's side, for a contact he has: the envelopes continue their log where he stands, or are already read. */
export async function feedIntroduction(c: Conversation, intro: Introduction): Promise<void> {
  const consumed = c.record.consumed
  if (intro.from > consumed || !c.record.theirLog || !intro.logKey.equals(Buffer.from(c.record.theirLog, 'hex'))) return
  // Envelopes carried in an introduction get the cap a log reader applies before download.
  const blocks = intro.envelopes
    .map((block, i) => ({ index: intro.from + i, block: block.length > MAX_ENVELOPE_BYTES ? null : block, size: block.length }))
    .filter((b) => b.index >= consumed)
  if (blocks.length > 0) await c.consume(blocks)
}
