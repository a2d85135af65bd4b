// LAN chat with default settings: hosts started as a user who touched nothing starts them (no
// bootstrap given, so the public one, which the namespace cannot reach; LAN discovery as the new
// profile has it), on a LAN with no default route at all and on one whose default route leads
// nowhere. Three hosts chat within 10 s of start.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../helpers/lan/netns'

const unavailable = labUnavailable()
const HOST_NODE = fileURLToPath(new URL('../helpers/lan/host-node.ts', import.meta.url))
const CHAT_BOUND = 10_000
const names: Record<string, string> = { a: 'Alice', b: 'Bob', c: 'Carol' }

const received = (from: string, text: string) => (r: Report) => r.type === 'message' && r.direction === 'in' && r.contact === from && r.text === text

describe.skipIf(unavailable !== null)(`default settings on a LAN without internet${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: Lab | null = null
  let profiles = ''
  const procs: NodeProcess[] = []

  afterEach(async () => {
    await Promise.allSettled(procs.splice(0).map((p) => p.stop(20_000)))
    lab?.destroy()
    lab = null
    if (profiles) rmSync(profiles, { recursive: true, force: true })
  })

  for (const defaultRoute of [false, true]) {
    it(`three hosts chat within 10 s of start (${defaultRoute ? 'default route leads nowhere' : 'no default route at all'})`, async () => {
      removeLeftovers()
      profiles = mkdtempSync(join(tmpdir(), 'cairn-lan-defaults-'))
      lab = Lab.create(['a', 'b', 'c'], defaultRoute ? 'dr' : 'nr', { defaultRoute })
      const ids: Record<string, string> = {}
      const start = async (name: string) => {
        const proc = lab!.spawn(name, HOST_NODE, { CAIRN_PROFILE: join(profiles, name), CAIRN_NAME: names[name], CAIRN_DEFAULTS: '1' })
        procs.push(proc)
        ids[name] = String((await proc.wait((r) => r.type === 'ready', 60_000, 'ready')).id)
        return proc
      }
      const [a, b, c] = await Promise.all([start('a'), start('b'), start('c')])
      // From the moment all three are up (profiles created and unlocked): the LAN's part alone.
      const startedAt = Date.now()
      a.send({ cmd: 'add', id: ids.b, name: 'Bob' })
      a.send({ cmd: 'add', id: ids.c, name: 'Carol' })
      b.send({ cmd: 'add', id: ids.a, name: 'Alice' })
      c.send({ cmd: 'add', id: ids.a, name: 'Alice' })
      a.send({ cmd: 'send', id: ids.b, texts: ['hello Bob'] })
      a.send({ cmd: 'send', id: ids.c, texts: ['hello Carol'] })
      await b.wait(received(ids.a, 'hello Bob'), CHAT_BOUND, 'the message from Alice at Bob')
      await c.wait(received(ids.a, 'hello Carol'), CHAT_BOUND, 'the message from Alice at Carol')
      b.send({ cmd: 'send', id: ids.a, texts: ['hello Alice'] })
      await a.wait(received(ids.b, 'hello Alice'), CHAT_BOUND, 'the reply from Bob')
      const tookMs = Date.now() - startedAt
      console.log(`LAN defaults (${defaultRoute ? 'route to nowhere' : 'no default route'}): three hosts chatting ${tookMs} ms after all were up`)
      expect(tookMs).toBeLessThan(CHAT_BOUND)
    }, 120_000)
  }
})
