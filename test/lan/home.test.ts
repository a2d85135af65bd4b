// Home nodes between namespaces: Alice, Bob and Carol as whole Cairn hosts, Alice's and Bob's home
// nodes as boxes, each in its own namespace, all on a stand-in internet DHT in another (LAN discovery
// off: the path is the internet one). The people's apps are never online at the same time — each is
// stopped before the next starts, and the test asserts it from when each was up:
//   1+2. Alice writes while Bob is away and leaves; Bob reads it later (it reached his home node
//        while Alice was up, and her own home node kept it too);
//   3.   Carol, who has no home node and never met Bob, starts with him while he is away through his
//        home node (his bundle, a one-time prekey, her sealed introduction); Bob accepts later and
//        reads her first messages.
// Then the same with only one side of a pair having a home node: Dave has none, and meets Alice and
// Bob once; Alice (with a box) writes to Dave while he is away, and Dave writes to Bob (with a box)
// while Bob is away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../helpers/lan/netns'
import { Timeline } from '../home/helpers'

const unavailable = labUnavailable()
if (unavailable) console.warn(`home node namespace tests skipped: ${unavailable}`)

const HOST_NODE = fileURLToPath(new URL('../helpers/lan/host-node.ts', import.meta.url))
const BOX_NODE = fileURLToPath(new URL('../helpers/lan/box-node.ts', import.meta.url))
const INTERNET = fileURLToPath(new URL('../helpers/lan/internet-node.ts', import.meta.url))
const BOUND = 60_000

describe.skipIf(unavailable !== null)(`home nodes between namespaces${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: Lab
  let dirs: string
  let bootstrap: string
  const procs: NodeProcess[] = []
  const ids: Record<string, string> = {}
  const codes: Record<string, string> = {}
  const boxes: Record<string, NodeProcess> = {}
  // when each app was up, per scenario (they meet once, in the first)
  let time = new Timeline()
  let met = false
  let daveMet = false

  async function person(ns: string, name: string): Promise<NodeProcess> {
    time.online(name)
    const proc = lab.spawn(ns, HOST_NODE, { CAIRN_PROFILE: join(dirs, ns), CAIRN_NAME: name, CAIRN_BOOTSTRAP: bootstrap, CAIRN_LAN: '0' })
    procs.push(proc)
    ids[ns] = String((await proc.wait((r) => r.type === 'ready', BOUND, `${name} ready`)).id)
    return proc
  }

  async function leave(proc: NodeProcess, name: string): Promise<void> {
    await proc.stop(30_000)
    time.offline(name)
  }

  async function box(ns: string): Promise<void> {
    const proc = lab.spawn(ns, BOX_NODE, { CAIRN_BOX: join(dirs, ns), CAIRN_BOOTSTRAP: bootstrap })
    procs.push(proc)
    boxes[ns] = proc
    codes[ns] = String((await proc.wait((r) => r.type === 'ready', BOUND, `box ${ns}`)).code)
  }

  const inMessage = (from: string, text: string) => (r: Report) => r.type === 'message' && r.direction === 'in' && r.contact === from && r.text === text

  async function history(proc: NodeProcess, contact: string): Promise<string[]> {
    const from = proc.reports.length
    proc.send({ cmd: 'history', id: contact })
    const page = await proc.wait((r) => r.type === 'history' && proc.reports.indexOf(r) >= from, BOUND, 'history')
    return (page.messages as { text: string }[]).map((m) => m.text)
  }

  beforeAll(async () => {
    removeLeftovers()
    dirs = mkdtempSync(join(tmpdir(), 'cairn-lan-home-'))
    lab = Lab.create(['i', 'ha', 'hb', 'a', 'b', 'c', 'd'], 'home')
    const internet = lab.spawn('i', INTERNET)
    procs.push(internet)
    bootstrap = String((await internet.wait((r) => r.type === 'ready', BOUND, 'the internet DHT')).bootstrap)
    await Promise.all([box('ha'), box('hb')])
  }, 120_000)

  afterAll(async () => {
    await Promise.allSettled(procs.map((p) => p.stop(20_000)))
    lab?.destroy()
    if (dirs) rmSync(dirs, { recursive: true, force: true })
  })

  it('Alice and Bob link their home nodes and meet once', async () => {
    const [a, b] = await Promise.all([person('a', 'alice'), person('b', 'bob')])
    a.send({ cmd: 'link', code: codes.ha })
    b.send({ cmd: 'link', code: codes.hb })
    await a.wait((r) => r.type === 'linked' && r.online === true, BOUND, 'Alice linked')
    await b.wait((r) => r.type === 'linked' && r.online === true, BOUND, 'Bob linked')
    a.send({ cmd: 'add', id: ids.b, name: 'Bob' })
    b.send({ cmd: 'add', id: ids.a, name: 'Alice' })
    a.send({ cmd: 'send', id: ids.b, texts: ['hello while we are both here'] })
    await b.wait(inMessage(ids.a, 'hello while we are both here'), BOUND, 'the first message')
    // each learnt the other's home node in the session; Bob's box keeps Alice's log
    await boxes.hb.wait((r) => r.type === 'box-fetched', BOUND, 'Bob’s box fetching')
    await Promise.all([leave(a, 'alice'), leave(b, 'bob')])
    met = true
  }, 240_000)

  it('1+2. Alice writes while Bob is away and leaves; Bob reads it later, through the home nodes', async () => {
    expect(met, 'they never met (first test)').toBe(true)
    time = new Timeline()
    const a = await person('a', 'alice')
    a.send({ cmd: 'send', id: ids.b, texts: ['written while you were away'] })
    const sent = (await a.wait((r) => r.type === 'sent', BOUND, 'sent')).ids as string[]
    await a.wait((r) => r.type === 'state' && r.id === sent[0] && r.state === 'home', BOUND, 'delivered to his home node')
    await leave(a, 'alice')

    const b = await person('b', 'bob')
    await b.wait(inMessage(ids.a, 'written while you were away'), BOUND, 'the message from a home node')
    expect(await history(b, ids.a)).toEqual(['hello while we are both here', 'written while you were away'])
    await leave(b, 'bob')
    expect(time.neverTogether('alice', 'bob')).toBe(true)
  }, 240_000)

  it('3. Carol, with no home node, starts with Bob while he is away; he accepts later and reads her first messages', async () => {
    expect(met, 'Bob never linked his home node (first test)').toBe(true)
    time = new Timeline()
    const c = await person('c', 'carol')
    c.send({ cmd: 'add', id: ids.b, name: 'Bob' })
    const texts = ['hello Bob, this is Carol', 'we met at the conference']
    c.send({ cmd: 'send', id: ids.b, texts })
    const sent = (await c.wait((r) => r.type === 'sent', BOUND, 'sent')).ids as string[]
    await c.wait((r) => r.type === 'state' && r.id === sent[1] && r.state === 'home', BOUND, 'left on his home node')
    await leave(c, 'carol')

    const b = await person('b', 'bob')
    await b.wait((r) => r.type === 'request' && r.from === ids.c, BOUND, 'her request from his home node')
    b.send({ cmd: 'accept', id: ids.c })
    await b.wait(inMessage(ids.c, texts[1]), BOUND, 'her messages')
    expect(await history(b, ids.c)).toEqual(texts)
    await leave(b, 'bob')
    expect(time.neverTogether('carol', 'bob')).toBe(true)
  }, 240_000)

  it('Dave, who has no home node, meets Alice and Bob once', async () => {
    expect(met, 'Alice and Bob never linked their home nodes (first test)').toBe(true)
    const [a, b, d] = await Promise.all([person('a', 'alice'), person('b', 'bob'), person('d', 'dave')])
    d.send({ cmd: 'add', id: ids.a, name: 'Alice' })
    d.send({ cmd: 'add', id: ids.b, name: 'Bob' })
    a.send({ cmd: 'add', id: ids.d, name: 'Dave' })
    b.send({ cmd: 'add', id: ids.d, name: 'Dave' })
    d.send({ cmd: 'send', id: ids.a, texts: ['hi Alice, Dave here'] })
    d.send({ cmd: 'send', id: ids.b, texts: ['hi Bob, Dave here'] })
    await a.wait(inMessage(ids.d, 'hi Alice, Dave here'), BOUND, 'Dave’s first message to Alice')
    await b.wait(inMessage(ids.d, 'hi Bob, Dave here'), BOUND, 'Dave’s first message to Bob')
    a.send({ cmd: 'send', id: ids.d, texts: ['hi Dave'] })
    await d.wait(inMessage(ids.a, 'hi Dave'), BOUND, 'Alice’s answer')
    // They part at once: Bob's app tells his box to keep Dave's log when it learns it, not at its next
    // resync, and before it closes.
    await Promise.all([leave(a, 'alice'), leave(b, 'bob'), leave(d, 'dave')])
    daveMet = true
  }, 240_000)

  it('1, only the sender with a home node: Alice writes to Dave while he is away and leaves; Dave reads it from her home node', async () => {
    expect(daveMet, 'Dave never met Alice').toBe(true)
    time = new Timeline()
    const a = await person('a', 'alice')
    const fetchedBefore = boxes.ha.reports.length
    a.send({ cmd: 'send', id: ids.d, texts: ['for Dave, from Alice’s box', 'and a second one'] })
    await a.wait((r) => r.type === 'sent', BOUND, 'sent')
    await boxes.ha.wait(
      (r) => r.type === 'box-fetched' && boxes.ha.reports.indexOf(r) >= fetchedBefore && Number(r.length) >= 3,
      BOUND,
      'Alice’s box fetched her log to Dave'
    )
    await leave(a, 'alice')

    const d = await person('d', 'dave')
    await d.wait(inMessage(ids.a, 'and a second one'), BOUND, 'the messages from Alice’s home node')
    expect(await history(d, ids.a)).toEqual(['hi Alice, Dave here', 'hi Dave', 'for Dave, from Alice’s box', 'and a second one'])
    await leave(d, 'dave')
    expect(time.neverTogether('alice', 'dave')).toBe(true)
  }, 240_000)

  it('2, only the recipient with a home node: Dave writes to Bob while Bob is away and leaves; Bob reads it from his home node', async () => {
    expect(daveMet, 'Dave never met Bob').toBe(true)
    time = new Timeline()
    const d = await person('d', 'dave')
    d.send({ cmd: 'send', id: ids.b, texts: ['for Bob, while you are away', 'in order, once'] })
    const sent = (await d.wait((r) => r.type === 'sent', BOUND, 'sent')).ids as string[]
    await d.wait((r) => r.type === 'state' && r.id === sent[1] && r.state === 'home', BOUND, 'delivered to Bob’s home node')
    await leave(d, 'dave')

    const b = await person('b', 'bob')
    await b.wait(inMessage(ids.d, 'in order, once'), BOUND, 'the messages from Bob’s home node')
    expect(await history(b, ids.d)).toEqual(['hi Bob, Dave here', 'for Bob, while you are away', 'in order, once'])
    await leave(b, 'bob')
    expect(time.neverTogether('dave', 'bob')).toBe(true)
  }, 240_000)

  it('sent nothing anywhere but the lab’s network', () => {
    for (const name of ['i', 'ha', 'hb', 'a', 'b', 'c', 'd']) expect(lab.strayPackets(name)).toBe(0)
  })
})
