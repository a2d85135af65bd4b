// The LAN at run time, with whole Cairn hosts in namespaces and an empty bootstrap: a host alone on
// the link reports offline and LAN only once another node is heard (and offline again when its
// cable is pulled); turning LAN discovery off stops its advertisements and drops its LAN
// connections at once, turning it back on brings its contacts back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../helpers/lan/netns'

const unavailable = labUnavailable()
if (unavailable) console.warn(`LAN runtime tests skipped: ${unavailable}`)

const HOST_NODE = fileURLToPath(new URL('../helpers/lan/host-node.ts', import.meta.url))
const LISTENER = fileURLToPath(new URL('../helpers/lan/listener.ts', import.meta.url))
const INTERNET = fileURLToPath(new URL('../helpers/lan/internet-node.ts', import.meta.url))
// Discovery forgets a silent node after about three announce intervals (5 s each).
const FORGET_BOUND = 40_000
const BOUND = 20_000

describe.skipIf(unavailable !== null)(`LAN status and discovery toggled at run time${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: Lab
  let profiles: string
  const procs: NodeProcess[] = []
  const ids: Record<string, string> = {}
  let a: NodeProcess
  let b: NodeProcess

  async function start(name: string, display: string, env: Record<string, string> = {}): Promise<NodeProcess> {
    const proc = lab.spawn(name, HOST_NODE, { CAIRN_PROFILE: join(profiles, name), CAIRN_NAME: display, ...env })
    procs.push(proc)
    ids[name] = String((await proc.wait((r) => r.type === 'ready', 60_000, 'ready')).id)
    return proc
  }

  /** A report from `proc` that matches and came after the first `from` reports. */
  const after = (proc: NodeProcess, from: number, match: (r: Report) => boolean) => (r: Report) =>
    match(r) && proc.reports.indexOf(r) >= from

  async function status(proc: NodeProcess): Promise<Report> {
    const from = proc.reports.length
    proc.send({ cmd: 'network' })
    return proc.wait(after(proc, from, (r) => r.type === 'status'), BOUND, 'network status')
  }

  /** Online means any presence but offline (over the LAN it is 'lan'). */
  const presence = (proc: NodeProcess, of: string, value: 'online' | 'offline', from: number) =>
    proc.wait(
      after(proc, from, (r) => r.type === 'contact' && r.id === ids[of] && (r.presence === 'offline') === (value === 'offline')),
      FORGET_BOUND,
      `${of} ${value}`
    )

  const mode = (proc: NodeProcess, value: string, from: number) =>
    proc.wait(after(proc, from, (r) => r.type === 'network' && r.mode === value), FORGET_BOUND, `network mode ${value}`)

  beforeAll(() => {
    removeLeftovers()
    profiles = mkdtempSync(join(tmpdir(), 'cairn-lan-rt-'))
    lab = Lab.create(['a', 'b', 'x', 'i', 'c', 'd'], 'rt')
  })

  afterAll(async () => {
    await Promise.allSettled(procs.map((p) => p.stop(20_000)))
    lab?.destroy()
    if (profiles) rmSync(profiles, { recursive: true, force: true })
  })

  it('a host alone on the link is offline, LAN only once another is heard, offline while unplugged, LAN when back', async () => {
    a = await start('a', 'Alice')
    expect((await status(a)).mode).toBe('offline')
    const beforeB = a.reports.length
    b = await start('b', 'Bob')
    await mode(a, 'lan', beforeB)
    expect((await status(a)).mode).toBe('lan')

    a.send({ cmd: 'add', id: ids.b, name: 'Bob' })
    b.send({ cmd: 'add', id: ids.a, name: 'Alice' })
    await presence(a, 'b', 'online', 0)

    const unplugged = a.reports.length
    lab.unplug('a')
    await mode(a, 'offline', unplugged)
    const replugged = a.reports.length
    lab.plug('a')
    await mode(a, 'lan', replugged)
    a.send({ cmd: 'send', id: ids.b, texts: ['plugged back'] })
    await b.wait((r) => r.type === 'message' && r.direction === 'in' && r.text === 'plugged back', FORGET_BOUND, 'the message after the cable is back')
  }, 240_000)

  it('turning discovery off stops the adverts and drops LAN connections now; turning it on brings the contact back', async () => {
    expect(a, 'the first scenario never started the hosts').toBeDefined()
    const listener = lab.spawn('x', LISTENER)
    procs.push(listener)
    await listener.wait((r) => r.type === 'ready', 30_000, 'listener ready')
    const addressA = lab.host('a').address
    const addressB = lab.host('b').address
    const datagram = (address: string) => (r: Report) => r.type === 'datagram' && r.from === address
    await listener.wait(datagram(addressA), BOUND, 'an advert from Alice while discovery is on')

    const beforeOff = b.reports.length
    const settingsAt = a.reports.length
    a.send({ cmd: 'settings', lan: false })
    const settings = await a.wait(after(a, settingsAt, (r) => r.type === 'settings'), BOUND, 'settings applied')
    expect(settings.lanDiscovery).toBe(false)
    await presence(b, 'a', 'offline', beforeOff)
    const off = await status(a)
    expect(off.lanDiscovery).toBe(false)
    expect(off.mode).toBe('offline')

    // Alice's goodbye may still be on its way when her settings report arrives: the window opens at
    // Bob's next advert and spans two more of his announce intervals.
    const mark = listener.reports.length
    const opened = await listener.wait(after(listener, mark, datagram(addressB)), BOUND, 'an advert from Bob')
    const windowStart = listener.reports.indexOf(opened)
    const next = await listener.wait(after(listener, windowStart + 1, datagram(addressB)), BOUND, 'another advert from Bob')
    await listener.wait(after(listener, listener.reports.indexOf(next) + 1, datagram(addressB)), BOUND, 'a third advert from Bob')
    expect(listener.reports.slice(windowStart).filter(datagram(addressA))).toEqual([])

    const beforeOn = b.reports.length
    const onAt = a.reports.length
    a.send({ cmd: 'settings', lan: true })
    expect((await a.wait(after(a, onAt, (r) => r.type === 'settings'), BOUND, 'settings applied')).lanDiscovery).toBe(true)
    await presence(b, 'a', 'online', beforeOn)
    a.send({ cmd: 'send', id: ids.b, texts: ['back on the LAN'] })
    await b.wait((r) => r.type === 'message' && r.direction === 'in' && r.text === 'back on the LAN', BOUND, 'the message after the toggle')
    await listener.wait(after(listener, listener.reports.length, datagram(addressA)), BOUND, 'Alice advertising again')
  }, 240_000)

  it('turning discovery off keeps the connections over the internet DHT', async () => {
    expect(b, 'the first scenario never started the hosts').toBeDefined()
    // The internet DHT is a testnet in a namespace of its own; Carol uses only it, Bob only the LAN.
    const internet = lab.spawn('i', INTERNET)
    procs.push(internet)
    const bootstrap = String((await internet.wait((r) => r.type === 'ready', 30_000, 'the internet DHT')).bootstrap)
    const c = await start('c', 'Carol', { CAIRN_BOOTSTRAP: bootstrap, CAIRN_LAN: '0' })
    const d = await start('d', 'Dana', { CAIRN_BOOTSTRAP: bootstrap })
    d.send({ cmd: 'add', id: ids.b, name: 'Bob' })
    d.send({ cmd: 'add', id: ids.c, name: 'Carol' })
    b.send({ cmd: 'add', id: ids.d, name: 'Dana' })
    c.send({ cmd: 'add', id: ids.d, name: 'Dana' })
    await presence(d, 'b', 'online', 0)
    await presence(d, 'c', 'online', 0)
    expect((await status(d)).mode).toBe('internet')

    const beforeOff = d.reports.length
    const bBefore = b.reports.length
    d.send({ cmd: 'settings', lan: false })
    await d.wait(after(d, beforeOff, (r) => r.type === 'settings'), BOUND, 'settings applied')
    await presence(b, 'd', 'offline', bBefore)
    d.send({ cmd: 'send', id: ids.c, texts: ['still on the internet'] })
    await c.wait((r) => r.type === 'message' && r.direction === 'in' && r.text === 'still on the internet', BOUND, 'the message over the internet')
    expect(d.reports.slice(beforeOff).filter((r) => r.type === 'contact' && r.id === ids.c && r.presence === 'offline')).toEqual([])
    const off = await status(d)
    expect(off.mode).toBe('internet')
    expect(off.lanDiscovery).toBe(false)
  }, 240_000)

  it('sent nothing anywhere but the LAN', () => {
    for (const name of ['a', 'b', 'x', 'i', 'c', 'd']) expect(lab.strayPackets(name)).toBe(0)
  })
})
