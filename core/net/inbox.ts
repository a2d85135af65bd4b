import type { IdentityKeyPair } from '../identity'
import { inboxTopic } from '../protocol/topics'
import type { SwarmEntry } from './membership'

// Listening announces this node on the DHT; with the DHT unreachable that takes until queries time
// out. listenAll() stops waiting after this long and listening carries on in the background.
const READY_WAIT_MS = 3_000

/**
 * This node's inbox on each of its own swarms: the topic strangers find it by, announced under the
 * identity key, with the identity key listened on. Hidden, neither is on the DHT: nothing there is
 * keyed to the identity; contacts still meet on their pair topics and this node's requests still go out.
 */
export class Inbox {
  readonly topic: Buffer

  constructor(identity: IdentityKeyPair, private hiddenNow: boolean) {
    this.topic = inboxTopic(identity.publicKey)
  }

  get hidden(): boolean {
    return this.hiddenNow
  }

  /** A swarm is attached: join the inbox topic there unless hidden. */
  join(entry: SwarmEntry): void {
    if (!this.hiddenNow) entry.swarm.join(this.topic, { server: true, client: false })
  }

  async listen(entry: SwarmEntry): Promise<void> {
    if (!this.hiddenNow) await entry.swarm.listen()
  }

  /** Listens on every swarm; resolves once that is done, or after a few seconds if the DHT is unreachable. */
  async listenAll(swarms: SwarmEntry[], log: (message: string) => void): Promise<void> {
    const listening = Promise.all(swarms.map((entry) => this.listen(entry))).catch((err: unknown) => {
      log(`listening failed: ${err instanceof Error ? err.message : String(err)}`)
    })
    let timer: NodeJS.Timeout | null = null
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, READY_WAIT_MS)
      timer.unref()
    })
    await Promise.race([listening, waited])
    if (timer !== null) clearTimeout(timer)
  }

  async setHidden(hidden: boolean, swarms: SwarmEntry[]): Promise<void> {
    if (hidden === this.hiddenNow) return
    this.hiddenNow = hidden
    await Promise.all(swarms.map(async (entry) => {
      if (hidden) {
        await entry.swarm.leave(this.topic)
        await entry.swarm.server.suspend()
      } else {
        this.join(entry)
        await entry.swarm.server.resume()
        await this.listen(entry)
      }
    }))
  }
}
