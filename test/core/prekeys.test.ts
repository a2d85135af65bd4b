// Signed prekey rotation: a new prekey weekly, announced to connected contacts; replaced ones still
// open initial envelopes during their grace period and are deleted after it, which then shows as a
// security event, never a crash.
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CairnEvent } from '../../core/api/types'
import { ContactKey, generateIdentity } from '../../core/identity'
import { createProfile, openMessenger, type Messenger } from '../../core/messenger'
import type { Directory } from '../../core/messenger/directory'
import { DEFAULT_PREKEY_POLICY, prekeyChanges } from '../../core/messenger/prekey-schedule'
import type { Self } from '../../core/messenger/self'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { decodeBundle, generateSignedPrekey, type SignedPrekey } from '../../core/ratchet'
import { PASS, waitFor } from '../helpers/core'

const DAY = 24 * 60 * 60 * 1000
const policy = DEFAULT_PREKEY_POLICY

describe('the prekey schedule', () => {
  const identity = generateIdentity()
  const at = (id: number, createdAt: number): [number, SignedPrekey] => [id, { ...generateSignedPrekey(identity, id), createdAt }]

  it('keeps a young prekey and replaces one older than the period', () => {
    const keys = new Map([at(1, 0)])
    expect(prekeyChanges(identity, keys, 1, 6 * DAY, policy)).toEqual({ created: null, deleted: [] })
    const { created, deleted } = prekeyChanges(identity, keys, 1, 7 * DAY, policy)
    expect(created?.id).toBe(2)
    expect(created?.createdAt).toBe(7 * DAY)
    expect(deleted).toEqual([])
  })

  it('deletes a replaced prekey once its successor is older than the grace period, and keeps at most the cap', () => {
    const keys = new Map([at(1, 0), at(2, 7 * DAY)])
    expect(prekeyChanges(identity, keys, 2, 8 * DAY, policy).deleted).toEqual([])
    expect(prekeyChanges(identity, keys, 2, 37 * DAY, policy).deleted).toEqual([1])
    const many = new Map(Array.from({ length: 8 }, (_, i) => at(i + 1, i * DAY)))
    const { created, deleted } = prekeyChanges(identity, many, 8, 14 * DAY, policy)
    expect(created?.id).toBe(9)
    expect(deleted).toEqual([1, 2, 3])
  })
})

describe('signed prekey rotation between two profiles', () => {
  let testnet: LocalTestnet | null = null
  const dirs: string[] = []
  const open = new Set<Messenger>()
  let now = Date.now()
  const clock = () => now

  afterEach(async () => {
    for (const m of open) await m.close().catch(() => undefined)
    open.clear()
    await testnet?.destroy()
    testnet = null
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
    now = Date.now()
  })

  interface Node {
    m: Messenger
    events: CairnEvent[]
    dir: string
  }

  function track(m: Messenger, dir: string): Node {
    open.add(m)
    const events: CairnEvent[] = []
    m.on('event', (e: CairnEvent) => events.push(e))
    return { m, events, dir }
  }

  async function create(name: string): Promise<Node> {
    testnet ??= await createLocalTestnet(3)
    const dir = await mkdtemp(join(tmpdir(), 'cairn-prekeys-'))
    dirs.push(dir)
    return track(await createProfile({ profileDir: dir, passphrase: PASS, name, bootstrap: testnet.bootstrap, clock }), dir)
  }

  async function reopen(node: Node): Promise<Node> {
    return track(await openMessenger({ profileDir: node.dir, passphrase: PASS, bootstrap: testnet!.bootstrap, clock }), node.dir)
  }

  async function close(node: Node): Promise<void> {
    await node.m.close()
    open.delete(node.m)
  }

  /** The prekey id of the bundle `holder` keeps for `owner` (what a new session with them starts from). */
  function knownPrekeyId(holder: Node, owner: Node): number | null {
    const inner = holder.m as unknown as { directory: Directory }
    const pk = identityOf(owner)
    const hex = inner.directory.conversation(ContactKey.fromBytes(pk))?.record.bundle
    return hex ? decodeBundle(Buffer.from(hex, 'hex'), pk).prekeyId : null
  }

  function identityOf(owner: Node): Buffer {
    return ContactKey.fromId(owner.m.id).bytes
  }

  function heldPrekeys(node: Node): number[] {
    return [...(node.m as unknown as { self: Self }).self.allPrekeys().keys()].sort((a, b) => a - b)
  }

  async function pair(): Promise<{ a: Node; b: Node }> {
    const a = await create('Alice')
    const b = await create('Bob')
    await a.m.addContact(b.m.id, 'Bob')
    await b.m.addContact(a.m.id, 'Alice')
    await waitFor('both know the other bundle', () => knownPrekeyId(a, b) === 1 && knownPrekeyId(b, a) === 1)
    return { a, b }
  }

  const incoming = (node: Node, text: string) =>
    node.events.some((e) => e.type === 'message' && e.message.direction === 'in' && e.message.text === text)

  it('announces a new prekey to connected contacts and deletes replaced ones after the grace period', async () => {
    const { a, b } = await pair()
    now += 8 * DAY
    await a.m.rotatePrekeys()
    expect(heldPrekeys(a)).toEqual([1, 2])
    await waitFor('Bob learns prekey 2', () => knownPrekeyId(b, a) === 2)
    now += 31 * DAY
    await a.m.rotatePrekeys()
    expect(heldPrekeys(a)).toEqual([2, 3])
    await waitFor('Bob learns prekey 3', () => knownPrekeyId(b, a) === 3)
    await close(a)
    expect(heldPrekeys(await reopen(a))).toEqual([2, 3])
  }, 60_000)

  it('opens an initial envelope made from a replaced prekey still in its grace period', async () => {
    const { a, b } = await pair()
    await close(a)
    await b.m.send(a.m.id, 'made from prekey 1')
    await close(b)
    now += 8 * DAY
    const a2 = await reopen(a)
    expect(heldPrekeys(a2)).toEqual([1, 2])
    const b2 = await reopen(b)
    await waitFor('Alice reads the message made from prekey 1', () => incoming(a2, 'made from prekey 1'))
    expect(a2.events.filter((e) => e.type === 'security')).toEqual([])
    await waitFor('Bob learns prekey 2', () => knownPrekeyId(b2, a2) === 2)
  }, 60_000)

  it('an initial envelope made from an expired prekey is a security event, and the chat goes on', async () => {
    const { a, b } = await pair()
    await close(a)
    await b.m.send(a.m.id, 'made from prekey 1, too late')
    await close(b)
    now += 8 * DAY
    await close(await reopen(a))
    now += 31 * DAY
    const a2 = await reopen(a)
    expect(heldPrekeys(a2)).toEqual([2, 3])
    const b2 = await reopen(b)
    await waitFor('Alice reports the expired prekey', () =>
      a2.events.some((e) => e.type === 'security' && e.event.kind === 'decrypt-failed' && /expired/.test(e.event.detail))
    )
    expect(incoming(a2, 'made from prekey 1, too late')).toBe(false)
    await a2.m.send(b2.m.id, 'still here')
    await waitFor('Bob reads Alice after the failure', () => incoming(b2, 'still here'))
  }, 60_000)
})
