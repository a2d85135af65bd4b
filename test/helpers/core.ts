import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CairnHost } from '../../core/host/host'
import type { CairnEvent } from '../../core/api/types'
import { decodeContactId } from '../../core/identity'
import type { Network, Peer } from '../../core/net'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'

export const PASS = 'correct horse battery staple'

/** Polls until the condition holds; fails with the label after the deadline. */
export async function waitFor(label: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Temp folders, hosts and testnets made by a test, all removed by cleanup(). */
export class Fixture {
  testnet: LocalTestnet | null = null
  private readonly dirs: string[] = []
  private readonly hosts = new Set<CairnHost>()

  async net(): Promise<LocalTestnet> {
    if (!this.testnet) this.testnet = await createLocalTestnet(3)
    return this.testnet
  }

  async dir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-core-'))
    this.dirs.push(dir)
    return dir
  }

  /** A host on the loopback testnet, recording its events. */
  async host(profileDir?: string): Promise<Node> {
    const net = await this.net()
    const dir = profileDir ?? (await this.dir())
    const host = new CairnHost({ profileDir: dir, bootstrap: net.bootstrap, lanDiscovery: false })
    this.hosts.add(host)
    const node = new Node(host, dir, () => this.hosts.delete(host))
    return node
  }

  async cleanup(): Promise<void> {
    for (const host of this.hosts) await host.close().catch(() => undefined)
    this.hosts.clear()
    if (this.testnet) await this.testnet.destroy()
    this.testnet = null
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  }
}

export class Node {
  readonly events: CairnEvent[] = []

  constructor(
    readonly host: CairnHost,
    readonly dir: string,
    private readonly forget: () => void
  ) {
    host.on('event', (e: CairnEvent) => this.events.push(e))
  }

  of<T extends CairnEvent['type']>(type: T): Extract<CairnEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<CairnEvent, { type: T }> => e.type === type)
  }

  async close(): Promise<void> {
    await this.host.close()
    this.forget()
  }
}

/** The connection a node holds to a contact, if its control channel is up. */
export function peerOf(node: Node, contactId: string): Peer | null {
  const { network } = (node.host as unknown as { messenger: { network: Network } }).messenger
  return network.peer(decodeContactId(contactId))
}

/**
 * Both ends hold the same connection, and it is the pair's own (its Noise keys are the pair's keys of
 * the day, not the identities): pairing starts over the inbox connection of the request, which gives
 * way to the pair's own as soon as the pair swarms meet, closing whatever was sent on it.
 */
function onPairLink(a: Node, aId: string, b: Node, bId: string): boolean {
  const fromA = peerOf(a, bId)
  const fromB = peerOf(b, aId)
  if (fromA === null || fromB === null) return false
  const overPair = !fromA.stream.remotePublicKey.equals(decodeContactId(bId))
  return overPair && fromA.stream.handshakeHash.equals(fromB.stream.handshakeHash)
}

/** Two profiles that have added each other and are connected over the pair's own connection. */
export async function pair(f: Fixture): Promise<{ a: Node; b: Node; aId: string; bId: string }> {
  const a = await f.host()
  const b = await f.host()
  const aId = (await a.host.create('Alice', PASS)).id
  const bId = (await b.host.create('Bob', PASS)).id
  await a.host.addContact(bId, 'Bob')
  await b.host.addContact(aId, 'Alice')
  await waitFor('both online', async () => {
    const [ca] = await a.host.contacts()
    const [cb] = await b.host.contacts()
    return ca?.presence !== 'offline' && cb?.presence !== 'offline'
  })
  await waitFor("the pair's own connection", () => onPairLink(a, aId, b, bId))
  return { a, b, aId, bId }
}

/** Bytes of every file under a folder (a profile's size on disk). */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0
  for (const name of await readdir(dir, { recursive: true })) {
    const info = await stat(join(dir, name)).catch(() => null)
    if (info?.isFile()) total += info.size
  }
  return total
}
