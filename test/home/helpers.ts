import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Corestore from 'corestore'
import type { KeyPair } from 'hyperdht'
import { generateIdentity, type IdentityKeyPair } from '../../core/identity'
import { createBoxKey, decodePairingCode, HomeBox, type BoxOptions, HomeClient, linkKeyPair, newLinkSalt, type ProfileRules } from '../../core/home'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'

export { waitFor } from '../helpers/core'

/** A person's device: an identity, a corestore for its logs, and a link key for one box. */
export interface Device {
  identity: IdentityKeyPair
  store: Corestore
  linkKey(boxKey: Buffer): KeyPair
}

export class HomeFixture {
  testnet: LocalTestnet | null = null
  private readonly dirs: string[] = []
  private readonly closers: (() => Promise<unknown>)[] = []

  async net(): Promise<LocalTestnet> {
    if (this.testnet === null) this.testnet = await createLocalTestnet(3)
    return this.testnet
  }

  async dir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-home-'))
    this.dirs.push(dir)
    return dir
  }

  /** A box folder initialised and opened (listening on the testnet unless `listen` is false). */
  async box(dir?: string, opts: Partial<BoxOptions> & { listen?: boolean } = {}): Promise<HomeBox> {
    const boxDir = dir ?? (await this.dir())
    if (dir === undefined) await createBoxKey(boxDir)
    const { listen = true, ...boxOpts } = opts
    const box = await HomeBox.open({ dir: boxDir, bootstrap: (await this.net()).bootstrap, ...boxOpts })
    this.closers.push(() => box.close())
    if (listen) await box.listen()
    return box
  }

  async device(): Promise<Device> {
    const store = new Corestore(await this.dir())
    await store.ready()
    this.closers.push(() => store.close())
    const identity = generateIdentity()
    const salt = newLinkSalt()
    return { identity, store, linkKey: (boxKey) => linkKeyPair(identity.secretKey, boxKey, salt) }
  }

  async client(boxKey: Buffer, keyPair: KeyPair): Promise<HomeClient> {
    const client = await HomeClient.connect(boxKey, { keyPair, bootstrap: (await this.net()).bootstrap })
    this.closers.push(() => client.close())
    return client
  }

  /** A device paired to the box: its client, connected with its link key. */
  async paired(box: HomeBox, device: Device, rules: Partial<ProfileRules> = {}): Promise<HomeClient> {
    const code = decodePairingCode(await box.createPairingCode(rules))
    const client = await this.client(box.publicKey, device.linkKey(box.publicKey))
    await client.pair(code)
    return client
  }

  async cleanup(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined)
    await this.testnet?.destroy()
    this.testnet = null
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  }
}

/** Every file under a folder, concatenated: what a thief of the disk would have. */
export async function diskBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry)
    if ((await stat(path)).isFile()) parts.push(await readFile(path))
  }
  return Buffer.concat(parts)
}

/** When each app was online: the scenario asserts two apps' intervals never overlap. */
export class Timeline {
  private readonly spans = new Map<string, [number, number][]>()
  private tick = 0

  online(who: string): void {
    const list = this.spans.get(who) ?? []
    list.push([++this.tick, Infinity])
    this.spans.set(who, list)
  }

  offline(who: string): void {
    const list = this.spans.get(who)!
    list[list.length - 1][1] = ++this.tick
  }

  neverTogether(a: string, b: string): boolean {
    const as = this.spans.get(a) ?? []
    const bs = this.spans.get(b) ?? []
    return as.length > 0 && bs.length > 0 && as.every(([s1, e1]) => bs.every(([s2, e2]) => e1 < s2 || e2 < s1))
  }
}
