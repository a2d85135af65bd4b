// A pair that met over the internet DHT and then comes onto one LAN: Alice chats with Bob and Carol
// over a stand-in internet DHT (a testnet in its own namespace), LAN discovery off. Alice and Bob
// then turn discovery on while both keep writing: their pair moves to the LAN connection with every
// message delivered once and in order, and Alice's connection to Carol (who is not on the LAN) lives
// on untouched.
// The third peer's drop, seen once in seven runs and then twice in three: ~1 s after the first meeting,
// Alice's link to Carol closed and a new one came up 10-40 ms later, during Bob's move. It was not the
// move: Alice and Carol had first met over a request's inbox connection (its Noise key the identity),
// and the pair's own connection replaced it whenever one side's backed-off re-lookup of the pair topic
// found the other, here while the move was under way, in real use up to minutes into a chat. The
// trace now says which kind each connection is (pair). Fixed: a contact met over an inbox connection
// is looked for on its pair topics at once (test/net/requests.test.ts), and this test waits for the
// pair's own connection to Carol before the move, so what it checks is the move's doing alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeContactId } from '../../core/identity'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../helpers/lan/netns'

const unavailable = labUnavailable()
if (unavailable) console.warn(`LAN move tests skipped: ${unavailable}`)

const HOST_NODE = fileURLToPath(new URL('../helpers/lan/host-node.ts', import.meta.url))
const INTERNET = fileURLToPath(new URL('../helpers/lan/internet-node.ts', import.meta.url))
const BOUND = 30_000
const CHUNK = 10
const CHUNKS = 6

const received = (from: string, text: string) => (r: Report) =>
  r.type === 'message' && r.direction === 'in' && r.contact === from && r.text === text

describe.skipIf(unavailable !== null)(`A pair moving from the internet DHT to the LAN${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: Lab
  let profiles: string
  const procs: NodeProcess[] = []
  const hosts: Record<string, NodeProcess> = {}
  const ids: Record<string, string> = {}
  const hex = (name: string) => decodeContactId(ids[name]).toString('hex')

  async function start(name: string, display: string, env: Record<string, string>): Promise<NodeProcess> {
    const proc = lab.spawn(name, HOST_NODE, { CAIRN_PROFILE: join(profiles, name), CAIRN_NAME: display, ...env })
    procs.push(proc)
    hosts[name] = proc
    ids[name] = String((await proc.wait((r) => r.type === 'ready', 60_000, 'ready')).id)
    return proc
  }

  async function historyOf(name: string, contact: string): Promise<{ direction: string; text: string }[]> {
    const proc = hosts[name]
    const seen = proc.reports.length
    proc.send({ cmd: 'history', id: contact })
    const page = await proc.wait((r) => r.type === 'history' && proc.reports.indexOf(r) >= seen, BOUND, 'history')
    return page.messages as { direction: string; text: string }[]
  }

  const peerOf = (remote: string, lan: boolean) => (r: Report) => r.type === 'peer' && r.remote === remote && r.lan === lan

  beforeAll(() => {
    removeLeftovers()
    profiles = mkdtempSync(join(tmpdir(), 'cairn-lan-move-'))
    lab = Lab.create(['a', 'b', 'c', 'i'], 'move')
  })

  afterAll(async () => {
    await Promise.allSettled(procs.map((p) => p.stop(20_000)))
    lab?.destroy()
    if (profiles) rmSync(profiles, { recursive: true, force: true })
  })

  it('moves Alice and Bob to the LAN link with no message lost or doubled, and keeps Alice and Carol connected', async () => {
    const internet = lab.spawn('i', INTERNET)
    procs.push(internet)
    const bootstrap = String((await internet.wait((r) => r.type === 'ready', 30_000, 'the internet DHT')).bootstrap)
    // Alice and Bob run on the profile's LAN setting, turned off before they know each other (the
    // LAN=0 option would pin it off); Carol never comes onto the LAN.
    const internetOnly = { CAIRN_BOOTSTRAP: bootstrap, CAIRN_LAN: '0' }
    const [a, b, c] = await Promise.all([
      start('a', 'Alice', { CAIRN_BOOTSTRAP: bootstrap }),
      start('b', 'Bob', { CAIRN_BOOTSTRAP: bootstrap }),
      start('c', 'Carol', internetOnly)
    ])
    for (const proc of [a, b]) {
      proc.send({ cmd: 'settings', lan: false })
      expect((await proc.wait((r) => r.type === 'settings', BOUND, 'discovery off')).lanDiscovery).toBe(false)
    }
    a.send({ cmd: 'add', id: ids.b, name: 'Bob' })
    a.send({ cmd: 'add', id: ids.c, name: 'Carol' })
    b.send({ cmd: 'add', id: ids.a, name: 'Alice' })
    c.send({ cmd: 'add', id: ids.a, name: 'Alice' })
    await a.wait(peerOf(hex('b'), false), 60_000, 'Bob over the internet DHT')
    await a.wait(peerOf(hex('c'), false), 60_000, 'Carol over the internet DHT')
    // Alice and Carol first meet over a request's inbox connection (the inbox topic was announced long
    // before the pair's), which gives way to the pair's own connection once either finds the other's pair
    // topic (contact-swarms.ts connected). That swap is the first meeting's, not the move's: wait for it.
    await a.wait((r) => peerOf(hex('c'), false)(r) && r.pair === true, 60_000, "Carol over the pair's own connection")
    a.send({ cmd: 'send', id: ids.c, texts: ['hello Carol'] })
    await c.wait(received(ids.a, 'hello Carol'), BOUND, 'the first message to Carol')
    // When both ends dial each other at first meeting, one connection can be swapped for the other
    // (Hyperswarm keeps the newer once the older has carried bytes): the one that carried the message is the one to keep.
    const carol = a.reports.filter((r) => r.type === 'peer' && r.remote === hex('c')).at(-1)!

    const fromA = Array.from({ length: CHUNK * CHUNKS }, (_, i) => `a to b ${String(i).padStart(3, '0')}`)
    const fromB = fromA.map((text) => text.replace('a to b', 'b to a'))
    const movedAt = a.reports.length
    const cMark = c.reports.length
    // Both keep writing in chunks while discovery comes on between them, so the move happens mid-stream.
    for (let i = 0; i < CHUNKS; i++) {
      if (i === 2) {
        a.send({ cmd: 'settings', lan: true })
        b.send({ cmd: 'settings', lan: true })
      }
      a.send({ cmd: 'send', id: ids.b, texts: fromA.slice(i * CHUNK, (i + 1) * CHUNK) })
      b.send({ cmd: 'send', id: ids.a, texts: fromB.slice(i * CHUNK, (i + 1) * CHUNK) })
    }
    const since = (proc: NodeProcess, from: number, match: (r: Report) => boolean) => (r: Report) => match(r) && proc.reports.indexOf(r) >= from
    await a.wait(since(a, movedAt, peerOf(hex('b'), true)), 60_000, 'Bob over the LAN')
    await b.wait(peerOf(hex('a'), true), 60_000, 'Alice over the LAN')
    await b.wait(received(ids.a, fromA[fromA.length - 1]), 60_000, 'the last message from Alice')
    await a.wait(received(ids.b, fromB[fromB.length - 1]), 60_000, 'the last message from Bob')

    a.send({ cmd: 'send', id: ids.b, texts: ['after the move'] })
    await b.wait(received(ids.a, 'after the move'), BOUND, 'a message over the LAN link')
    a.send({ cmd: 'send', id: ids.c, texts: ['still here, Carol'] })
    await c.wait(since(c, cMark, received(ids.a, 'still here, Carol')), BOUND, 'a message to Carol after the move')

    const atB = (await historyOf('b', ids.a)).filter((m) => m.direction === 'in').map((m) => m.text)
    expect(atB).toEqual([...fromA, 'after the move'])
    const atA = (await historyOf('a', ids.b)).filter((m) => m.direction === 'in').map((m) => m.text)
    expect(atA).toEqual(fromB)

    // The internet link to Bob was replaced; the one to Carol is the same connection as before.
    const aSince = a.reports.slice(movedAt)
    // Each host's connections and settings in order, with times, so a failure says when Carol's went and why.
    const trace = ['a', 'b', 'c']
      .map((name) => `${name}: ${JSON.stringify(hosts[name].reports.filter((r) => ['peer', 'peer-closed', 'settings'].includes(r.type)).map(({ type, remote, lan, n, at, initiator, why, pair }) => ({ type, remote: String(remote ?? '').slice(0, 8), lan, n, at, initiator, why, pair })))}`)
      .join('\n')
    expect(aSince.filter((r) => r.type === 'peer-closed' && r.remote === hex('c')), trace).toEqual([])
    expect(aSince.filter((r) => r.type === 'peer-closed' && r.remote === hex('b')).every((r) => r.lan === false)).toBe(true)
    expect(aSince.filter((r) => r.type === 'peer' && r.remote === hex('c')), trace).toEqual([])
    expect(carol.n).toBe(a.reports.filter((r) => r.type === 'peer' && r.remote === hex('c')).at(-1)!.n)
    expect(c.reports.slice(cMark).filter((r) => r.type === 'peer' || r.type === 'peer-closed'), trace).toEqual([])
    for (const name of ['a', 'b', 'c', 'i']) expect(lab.strayPackets(name)).toBe(0)
  }, 240_000)
})
