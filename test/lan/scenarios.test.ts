// The LAN scenarios with whole Cairn hosts, each a CairnHost in its own network namespace with LAN
// discovery on and an empty bootstrap list: contacts chat, a partitioned host catches up on 200
// messages, a late joiner catches up, a stranger learns nothing, nothing leaves the LAN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { decodeContactId } from '../../core/identity'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../helpers/lan/netns'

const unavailable = labUnavailable()
if (unavailable) console.warn(`LAN namespace tests skipped: ${unavailable}`)

const HOST_NODE = fileURLToPath(new URL('../helpers/lan/host-node.ts', import.meta.url))
const LISTENER = fileURLToPath(new URL('../helpers/lan/listener.ts', import.meta.url))
const CHAT_BOUND = 10_000
const LATE_START_MS = 30_000
const PARTITION_MESSAGES = 200

const received = (from: string, text: string) => (r: Report) =>
  r.type === 'message' && r.direction === 'in' && r.contact === from && r.text === text

describe.skipIf(unavailable !== null)(`Cairn hosts on a LAN with no internet${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: Lab
  let profiles: string
  let startedAt = 0
  // The later scenarios build on the first; when it fails they fail at once instead of waiting out their bounds.
  let chatting = false
  const needsChat = () => expect(chatting, 'the hosts never chatted over the LAN (first scenario)').toBe(true)
  const procs: NodeProcess[] = []
  const hosts: Record<string, NodeProcess> = {}
  const ids: Record<string, string> = {}
  const names: Record<string, string> = { a: 'Alice', b: 'Bob', c: 'Carol', x: 'Xavier' }

  async function start(name: string, env: Record<string, string> = {}): Promise<NodeProcess> {
    const proc = lab.spawn(name, HOST_NODE, { CAIRN_PROFILE: join(profiles, name), CAIRN_NAME: names[name], ...env })
    procs.push(proc)
    hosts[name] = proc
    ids[name] = String((await proc.wait((r) => r.type === 'ready', 60_000, 'ready')).id)
    return proc
  }

  async function historyOf(name: string, contact: string): Promise<{ direction: string; text: string }[]> {
    const seen = hosts[name].reports.length
    hosts[name].send({ cmd: 'history', id: contact })
    const page = await hosts[name].wait((r) => r.type === 'history' && hosts[name].reports.indexOf(r) >= seen, 30_000, 'history')
    return page.messages as { direction: string; text: string }[]
  }

  beforeAll(() => {
    removeLeftovers()
    profiles = mkdtempSync(join(tmpdir(), 'cairn-lan-'))
    lab = Lab.create(['a', 'b', 'c', 'x'], 'host')
  })

  afterAll(async () => {
    await Promise.allSettled(procs.map((p) => p.stop(20_000)))
    lab?.destroy()
    if (profiles) rmSync(profiles, { recursive: true, force: true })
  })

  it('contacts on the LAN connect and chat within 10 s of start, with an empty bootstrap', async () => {
    // Carol's identity exists before she comes: her profile is made with the LAN off and no
    // bootstrap, so it sends nothing, and she starts for real later.
    await (await start('c', { CAIRN_LAN: '0' })).stop()
    startedAt = Date.now()
    const [a, b] = await Promise.all([start('a'), start('b'), start('x')])
    a.send({ cmd: 'add', id: ids.b, name: 'Bob' })
    a.send({ cmd: 'add', id: ids.c, name: 'Carol' })
    b.send({ cmd: 'add', id: ids.a, name: 'Alice' })
    a.send({ cmd: 'send', id: ids.b, texts: ['hello Bob'] })
    await b.wait(received(ids.a, 'hello Bob'), CHAT_BOUND, 'the message from Alice')
    b.send({ cmd: 'send', id: ids.a, texts: ['hello Alice'] })
    await a.wait(received(ids.b, 'hello Alice'), CHAT_BOUND, 'the reply from Bob')
    chatting = true
  })

  it('reports the LAN-only network mode', async () => {
    needsChat()
    hosts.a.send({ cmd: 'network' })
    const status = await hosts.a.wait((r) => r.type === 'status', CHAT_BOUND, 'network status')
    expect(status.mode).toBe('lan')
    expect(status.lanDiscovery).toBe(true)
  })

  it('a host whose cable was pulled gets all 200 messages written meanwhile, in order, exactly once', async () => {
    needsChat()
    const texts = Array.from({ length: PARTITION_MESSAGES }, (_, i) => `while away ${String(i).padStart(3, '0')}`)
    const seen = hosts.a.reports.length
    const bOffline = (r: Report) => r.type === 'contact' && r.id === ids.b && r.presence === 'offline' && hosts.a.reports.indexOf(r) >= seen
    lab.unplug('b')
    hosts.a.send({ cmd: 'send', id: ids.b, texts })
    await hosts.a.wait((r) => r.type === 'sent' && r.count === PARTITION_MESSAGES, 60_000, 'the 200 sends')
    // Plugged back only once Alice has noticed Bob is gone, so Bob must be found again, not just resume.
    await hosts.a.wait(bOffline, 60_000, 'Bob going offline')
    lab.plug('b')
    await hosts.b.wait(received(ids.a, texts[texts.length - 1]), 90_000, 'the last message written while away')
    const history = await historyOf('b', ids.a)
    expect(history.filter((m) => m.text.startsWith('while away')).map((m) => m.text)).toEqual(texts)
  }, 180_000)

  it('a host that starts 30 s after the others finds its contact and catches up', async () => {
    needsChat()
    hosts.a.send({ cmd: 'send', id: ids.c, texts: ['written before Carol came'] })
    await delay(Math.max(0, startedAt + LATE_START_MS - Date.now()))
    const c = await start('c')
    c.send({ cmd: 'add', id: ids.a, name: 'Alice' })
    await c.wait(received(ids.a, 'written before Carol came'), 30_000, 'the message written before Carol started')
    c.send({ cmd: 'send', id: ids.a, texts: ['hello Alice, Carol here'] })
    await hosts.a.wait(received(ids.c, 'hello Alice, Carol here'), 30_000, 'the message from Carol')
  }, 120_000)

  it('a stranger on the LAN reaches no one and learns nothing but that Cairn nodes exist', async () => {
    needsChat()
    const listener = lab.spawn('x', LISTENER)
    procs.push(listener)
    await listener.wait((r) => r.type === 'ready', 30_000, 'listener ready')
    for (const name of ['a', 'b', 'c']) {
      const from = lab.host(name).address
      await listener.wait((r) => r.type === 'datagram' && r.from === from, CHAT_BOUND, `an advertisement from ${name}`)
    }
    await listener.stop()
    const captured = listener.reports.filter((r) => r.type === 'datagram').map((r) => Buffer.from(String(r.hex), 'hex'))
    for (const datagram of captured) {
      const text = datagram.toString('latin1')
      for (const name of ['a', 'b', 'c', 'x']) {
        const publicKey = decodeContactId(ids[name])
        expect(text).not.toContain(ids[name])
        expect(text).not.toContain(names[name])
        expect(datagram.includes(publicKey.subarray(0, 8))).toBe(false)
        expect(text.toLowerCase()).not.toContain(publicKey.toString('hex').slice(0, 16))
      }
    }

    hosts.x.send({ cmd: 'network' })
    const status = await hosts.x.wait((r) => r.type === 'status', CHAT_BOUND, 'the stranger status')
    expect(status.peers).toBe(0)
    expect(status.contactsOnline).toBe(0)
    for (const name of ['a', 'b', 'c']) {
      expect(hosts[name].reports.some((r) => r.type === 'request' && r.from === ids.x)).toBe(false)
    }
  })

  it('sent nothing anywhere but the LAN', () => {
    for (const name of ['a', 'b', 'c', 'x']) expect(lab.strayPackets(name)).toBe(0)
  })
})
