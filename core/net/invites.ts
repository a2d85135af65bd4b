import type { ClientAddress, NoiseSecretStream, Server } from 'hyperdht'
import { inviteKeyPair } from '../protocol/invite'
import type { SwarmEntry } from './membership'

interface OpenInvite {
  servers: Server[]
  used: boolean
  timer: NodeJS.Timeout
}

export interface InviteHooks {
  swarms(): SwarmEntry[]
  /** The stranger firewall of a swarm (true refuses). */
  refuses(entry: SwarmEntry, remoteKey: Buffer, address: ClientAddress): boolean
  /** A stranger came in through an invite; used() is called when its request arrives. */
  onConnection(stream: NoiseSecretStream, entry: SwarmEntry, used: () => void): void
}

/**
 * The short-lived inboxes of this node's invites: per invite, a server on each DHT under the invite's
 * key pair (nothing of the identity on the DHT). It takes strangers as the inbox does, each for one
 * request; the first request delivered uses the invite up, and it closes then or when it expires.
 */
export class InviteInboxes {
  private readonly open = new Map<string, OpenInvite>()

  constructor(private readonly hooks: InviteHooks) {}

  get size(): number {
    return this.open.size
  }

  /** Resolves once the inbox listens on every DHT (an invitee dialling earlier would find nothing). */
  async add(secret: Buffer, ttlMs: number): Promise<void> {
    const id = secret.toString('hex')
    if (this.open.has(id)) return
    const keyPair = inviteKeyPair(secret)
    const invite: OpenInvite = { servers: [], used: false, timer: setTimeout(() => this.close(id), ttlMs) }
    invite.timer.unref()
    this.open.set(id, invite)
    for (const entry of this.hooks.swarms()) {
      const server = entry.swarm.dht.createServer(
        { firewall: (remoteKey, _payload, address) => invite.used || this.hooks.refuses(entry, remoteKey, address) },
        (stream) => {
          stream.on('close', () => {
            if (invite.used) this.close(id)
          })
          this.hooks.onConnection(stream, entry, () => {
            invite.used = true
          })
        }
      )
      invite.servers.push(server)
    }
    await Promise.allSettled(invite.servers.map((server) => server.listen(keyPair)))
  }

  close(id: string): void {
    const invite = this.open.get(id)
    if (invite === undefined) return
    this.open.delete(id)
    clearTimeout(invite.timer)
    for (const server of invite.servers) server.close().catch(() => {})
  }

  closeAll(): Promise<unknown> {
    const servers = [...this.open.values()].flatMap((invite) => {
      clearTimeout(invite.timer)
      return invite.servers
    })
    this.open.clear()
    return Promise.allSettled(servers.map((server) => server.close()))
  }
}
