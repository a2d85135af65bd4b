// Every session starts from the contact's signed prekey: a message written before their bundle is
// known waits, unencrypted to them but sealed in the store, and is encrypted with the X3DH start
// when the bundle arrives on the first connection.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CairnEvent } from '../../core/api/types'
import { createProfile, openMessenger, type Messenger } from '../../core/messenger'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { decodeEnvelope } from '../../core/ratchet/envelope'
import { PASS, waitFor } from '../helpers/core'
import { ownLog } from '../helpers/tamper'

let testnet: LocalTestnet | null = null
const dirs: string[] = []
const open = new Set<Messenger>()

afterEach(async () => {
  for (const m of open) await m.close().catch(() => undefined)
  open.clear()
  await testnet?.destroy()
  testnet = null
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
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
  const dir = await mkdtemp(join(tmpdir(), 'cairn-first-session-'))
  dirs.push(dir)
  return track(await createProfile({ profileDir: dir, passphrase: PASS, name, bootstrap: testnet.bootstrap, lanDiscovery: false }), dir)
}

function ownLogOf(node: Node, contact: string) {
  return ownLog(node.m, contact)
}

const received = (node: Node) => node.events.flatMap((e) => (e.type === 'message' && e.message.direction === 'in' ? [e.message.text] : []))

describe('the first session with a contact', () => {
  it('waits for their bundle: queued messages (a file too) are then sealed with the X3DH start, in order, and a deleted one never leaves', async () => {
    const a = await create('Alice')
    const b = await create('Bob')
    const bId = b.m.id
    const bDir = b.dir
    await b.m.close()
    open.delete(b.m)

    await a.m.addContact(bId, 'Bob')
    const first = await a.m.send(bId, 'written before the bundle')
    const doomed = await a.m.send(bId, 'deleted while waiting')
    await a.m.send(bId, 'also before the bundle')
    const notes = join(a.dir, 'notes.txt')
    await writeFile(notes, 'a file queued with the rest')
    await a.m.files.sendFile(bId, notes)
    await a.m.erasure.deleteMessage(bId, doomed.id)
    expect(first.state).toBe('pending')
    expect(ownLogOf(a, bId).length).toBe(0)

    const b2 = track(await openMessenger({ profileDir: bDir, passphrase: PASS, bootstrap: testnet!.bootstrap, lanDiscovery: false }), bDir)
    // Alice's request retries Bob's inbox 1, 2, 4, 8, 16 s apart while he is away: if the lookup after he
    // is back misses his announcement (a loaded CI), the next is 16 s on, past 30 s in all.
    await waitFor('the request reaches Bob', () => b2.m.listRequests().length === 1, 90_000)
    await b2.m.acceptRequest(a.m.id, 'Alice')
    await waitFor('the three queued messages arrive', () => received(b2).length === 3)
    expect(received(b2)).toEqual(['written before the bundle', 'also before the bundle', ''])
    const file = b2.events.flatMap((e) => (e.type === 'message' && e.message.file ? [e.message.file] : []))
    expect(file).toMatchObject([{ name: 'notes.txt', size: 27 }])

    const log = ownLogOf(a, bId)
    expect(log.length).toBe(3)
    const envelope = decodeEnvelope((await log.get(0))!)
    expect(envelope.initial?.prekeyId).toBe(1)
    const history = (await a.m.history(bId)).messages
    expect(history.map((m) => m.file?.name ?? m.text)).toEqual(['notes.txt', 'also before the bundle', 'written before the bundle'])
    await waitFor('delivered', async () => (await a.m.history(bId)).messages.every((m) => m.state === 'delivered' || m.state === 'read'))
  }, 150_000)

  it('a queued message can be edited in place and replied to, not reacted to; the reply keeps its quote once sealed', async () => {
    const a = await create('Alice')
    const b = await create('Bob')
    const bId = b.m.id
    const bDir = b.dir
    await b.m.close()
    open.delete(b.m)

    await a.m.addContact(bId, 'Bob')
    const question = await a.m.send(bId, 'lunch at noon?')
    const followUp = await a.m.send(bId, 'or one', question.id)
    expect(followUp.replyTo).toBe(question.id)
    expect((await a.m.edit(bId, question.id, 'lunch at 12:30?')).text).toBe('lunch at 12:30?')
    await expect(a.m.react(bId, question.id, '👍')).rejects.toMatchObject({ code: 'invalid-argument' })
    expect(ownLogOf(a, bId).length).toBe(0)

    const b2 = track(await openMessenger({ profileDir: bDir, passphrase: PASS, bootstrap: testnet!.bootstrap, lanDiscovery: false }), bDir)
    // Alice's request retries Bob's inbox 1, 2, 4, 8, 16 s apart while he is away: if the lookup after he
    // is back misses his announcement (a loaded CI), the next is 16 s on, past 30 s in all.
    await waitFor('the request reaches Bob', () => b2.m.listRequests().length === 1, 90_000)
    await b2.m.acceptRequest(a.m.id, 'Alice')
    await waitFor('both queued messages arrive', () => received(b2).length === 2)
    expect(received(b2)).toEqual(['lunch at 12:30?', 'or one'])
    const atBob = (await b2.m.history(a.m.id)).messages
    const [reply, quoted] = atBob
    expect(reply.text).toBe('or one')
    expect(reply.replyTo).toBe(quoted.id)
    expect(ownLogOf(a, bId).length).toBe(2)
    expect(b2.events.filter((e) => e.type === 'security')).toEqual([])
  }, 150_000)
})
