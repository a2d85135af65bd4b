// Calls through the API of two real profiles on a loopback testnet: call frames on the control
// channel, media on the pair's connection, events as a shell sees them.
import { afterEach, expect, it } from 'vitest'
import { CairnHost } from '../../core/host/host'
import type { MediaFrame, Message } from '../../core/api/types'
import { Fixture, Node, PASS, pair, waitFor } from '../helpers/core'

let f: Fixture
afterEach(() => f.cleanup())

async function talking(): Promise<Awaited<ReturnType<typeof pair>>> {
  const p = await pair(f)
  await p.a.host.send(p.bId, 'hi')
  await waitFor('message at bob', () => p.b.of('message').length > 0)
  return p
}

const frame = (seq: number, bytes: number): MediaFrame => ({
  stream: seq % 2 === 0 ? 'audio' : 'video',
  keyframe: true,
  seq,
  timestampUs: seq * 20_000,
  data: Buffer.alloc(bytes, seq).toString('base64')
})

it('rings, connects with the same words, carries frames both ways, reports quality, and hangs up', async () => {
  f = new Fixture()
  const { a, b, aId, bId } = await talking()
  const call = await a.host.startCall(bId, true)
  expect(call).toMatchObject({ contact: bId, direction: 'out', phase: 'calling' })
  await waitFor('bob rings', () => b.of('call').some((e) => e.call.phase === 'ringing'))
  expect(b.of('call')[0].call).toMatchObject({ id: call.id, contact: aId, direction: 'in', video: true })
  const accepted = await b.host.acceptCall(call.id, false)
  expect(accepted.phase).toBe('active')
  await waitFor('alice active', () => a.of('call').some((e) => e.call.phase === 'active'))
  expect(a.of('call').find((e) => e.call.phase === 'active')?.call.sas).toEqual(accepted.sas)
  await a.host.sendMedia(call.id, frame(0, 120))
  await a.host.sendMedia(call.id, frame(1, 30_000))
  await b.host.sendMedia(call.id, frame(2, 100))
  await waitFor('frames arrive', () => b.of('media').length === 2 && a.of('media').length === 1)
  expect(b.of('media').map((e) => e.frame)).toEqual([frame(0, 120), frame(1, 30_000)])
  await waitFor('a quality report', () => a.of('call-quality').length > 0, 5_000)
  expect(a.of('call-quality')[0].quality.loss).toBe(0)
  await b.host.hangup(call.id)
  await waitFor('alice sees the end', () => a.of('call-ended').length === 1)
  expect(a.of('call-ended')[0].end).toMatchObject({ reason: 'hangup', by: 'remote' })
  await expect(a.host.sendMedia(call.id, frame(3, 10))).rejects.toMatchObject({ code: 'not-found' })
  // Each side writes the call into its own history, as a line that is not a message.
  await waitFor('call lines', async () => (await callLines(a, bId)).length === 1 && (await callLines(b, aId)).length === 1)
  const [mine] = await callLines(a, bId)
  const [theirs] = await callLines(b, aId)
  expect(mine).toMatchObject({ direction: 'out', text: '', call: { video: true, outcome: 'answered' } })
  expect(theirs).toMatchObject({ direction: 'in', call: { video: false, outcome: 'answered' } })
  expect(mine.call!.durationMs).toBeGreaterThan(0)
  expect(mine.receivedAt).toBeGreaterThan(mine.sentAt)
  expect(a.of('message').some((e) => e.message.id === mine.id && e.seq !== undefined)).toBe(true)
  expect((await a.host.contacts())[0].lastMessage?.text).toMatch(/^Outgoing video call, \d+:\d\d$/)
  await expect(a.host.edit(bId, mine.id, 'x')).rejects.toMatchObject({ code: 'invalid-argument' })
})

async function callLines(n: Node, contact: string): Promise<Message[]> {
  return (await n.host.history(contact)).messages.filter((m) => m.call !== undefined)
}

it('calls a new contact before either has sent a message, with the same words on both sides', async () => {
  f = new Fixture()
  const { a, b, bId } = await pair(f)
  expect((await a.host.history(bId)).messages).toEqual([])
  const call = await a.host.startCall(bId, false)
  await waitFor('bob rings', () => b.of('call').some((e) => e.call.phase === 'ringing'))
  const accepted = await b.host.acceptCall(call.id, false)
  await waitFor('alice active', () => a.of('call').some((e) => e.call.phase === 'active'))
  expect(a.of('call').find((e) => e.call.phase === 'active')?.call.sas).toEqual(accepted.sas)
  await a.host.sendMedia(call.id, frame(0, 64))
  await waitFor('a frame arrives', () => b.of('media').length === 1)
  await a.host.hangup(call.id)
  await waitFor('bob sees the end', () => b.of('call-ended').length === 1)
})

it('refuses a second call and bad call ids and frames; an unanswered call is missed', async () => {
  f = new Fixture()
  const { a, b, aId, bId } = await talking()
  const call = await a.host.startCall(bId, false)
  await expect(a.host.startCall(bId, false)).rejects.toMatchObject({ code: 'busy' })
  await expect(a.host.hangup('nope')).rejects.toMatchObject({ code: 'invalid-argument' })
  await expect(a.host.sendMedia(call.id, { ...frame(0, 1), data: '!!!' })).rejects.toMatchObject({ code: 'invalid-argument' })
  await expect(a.host.sendMedia(call.id, frame(0, 1))).rejects.toMatchObject({ code: 'not-found' })
  await a.host.hangup(call.id)
  await waitFor('bob records a missed call', () => b.of('call-ended').length === 1)
  expect(b.of('call-ended')[0].end.reason).toBe('missed')
  await waitFor('missed call line', async () => (await callLines(b, aId)).length === 1)
  expect((await callLines(b, aId))[0].call).toEqual({ video: false, outcome: 'missed', durationMs: 0 })
  expect((await b.host.contacts())[0].lastMessage?.text).toBe('Missed call')
  await waitFor('cancelled call line', async () => (await callLines(a, bId)).length === 1)
  expect((await callLines(a, bId))[0].call?.outcome).toBe('cancelled')
  expect((await a.host.history(bId)).messages.map((m) => m.text)).toContain('hi')
})

it('a node that cannot take calls answers unavailable and reports the call', async () => {
  f = new Fixture()
  const a = await f.host()
  const net = await f.net()
  const dir = await f.dir()
  const headless = new Node(new CairnHost({ profileDir: dir, bootstrap: net.bootstrap, canTakeCalls: false, lanDiscovery: false }), dir, () => {})
  const aId = (await a.host.create('Alice', PASS)).id
  const hId = (await headless.host.create('Node', PASS)).id
  await a.host.addContact(hId, 'Node')
  await headless.host.addContact(aId, 'Alice')
  await waitFor('online', async () => (await a.host.contacts())[0]?.presence !== 'offline')
  await a.host.send(hId, 'hi')
  await waitFor('message', () => headless.of('message').length > 0)
  await a.host.startCall(hId, false)
  await waitFor('alice told unavailable', () => a.of('call-ended').length === 1)
  expect(a.of('call-ended')[0].end.reason).toBe('unavailable')
  expect(headless.events.filter((e) => e.type.startsWith('call')).map((e) => e.type)).toEqual(['call', 'call-ended'])
  await headless.host.close()
})
