// Under SIGKILL, as a device running `cairn` meets it. A receiving node killed 30 times at random
// moments, each time restarted with `cairn run --since` the last seq its output showed: every message
// appears exactly once in the concatenated outputs and in history. A sender whose node is killed
// during sends, and whose `cairn send` processes are killed too, retrying every failed send with its
// --client-id: every message is stored and received exactly once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Message } from '../../core/api/types'
import { cli, CliNode, killAll, until, type CliEnv } from '../helpers/cli-process'
import { Fixture, PASS, waitFor, type Node } from '../helpers/core'

const f = new Fixture()
let bootstrap: string

beforeAll(async () => {
  bootstrap = (await f.net()).bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
})
afterEach(killAll)
afterAll(() => f.cleanup())

/** A CLI profile and an in-process one that have added each other. */
async function contacts(cliName: string, hostName: string): Promise<{ env: CliEnv; cliId: string; host: Node; hostId: string }> {
  const env: CliEnv = { profile: await f.dir(), bootstrap, passphrase: 'durable events passphrase' }
  const init = await cli(['init', '--name', cliName], env)
  expect(init.code, init.stderr).toBe(0)
  const cliId = init.stdout.trim()
  const host = await f.host()
  const hostId = (await host.host.create(hostName, PASS)).id
  await host.host.addContact(cliId, cliName)
  const add = await cli(['add', hostId, '--name', hostName.toLowerCase()], env)
  expect(add.code, add.stderr).toBe(0)
  return { env, cliId, host, hostId }
}

interface Printed {
  seq: number
  text: string
}

/** The message events in a run's complete output lines (a line cut by the kill is not there). */
function printed(node: CliNode): Printed[] {
  return node
    .events()
    .filter((e) => e.type === 'message' && (e.message as Message).direction === 'in')
    .map((e) => ({ seq: e.seq as number, text: (e.message as Message).text }))
}

const random = (max: number) => Math.floor(Math.random() * max)
const KILLS = 30
const PER_ROUND = 8

describe('durable events under SIGKILL', () => {
  it(`a receiver killed ${KILLS} times and resumed with --since prints every message once`, async () => {
    const { env, cliId, host: a } = await contacts('Bob', 'Alice')
    const texts: string[] = []
    const outputs: Printed[] = []
    let last = 0
    let sending: Promise<void> = Promise.resolve()
    for (let kill = 0; kill < KILLS; kill++) {
      const b = new CliNode(['run', '--since', String(last)], env)
      const round = texts.length
      sending = sending.then(async () => {
        for (let i = 0; i < PER_ROUND; i++) {
          const text = `m${round + i}`
          texts.push(text)
          await a.host.send(cliId, text)
          await new Promise((r) => setTimeout(r, random(40)))
        }
      })
      if (kill % 5 === 4) {
        // now and then during the start: unlocking, replaying, catching up
        await new Promise((r) => setTimeout(r, random(2000)))
      } else {
        await until(() => printed(b).length > 0 || b.child.exitCode !== null || undefined, 20_000)
        await new Promise((r) => setTimeout(r, random(300)))
      }
      await b.stop('SIGKILL')
      const got = printed(b)
      outputs.push(...got)
      if (got.length > 0) last = got[got.length - 1].seq
    }
    await sending

    const final = new CliNode(['run', '--since', String(last)], env)
    const all = () => [...outputs, ...printed(final)]
    await until(() => all().length >= texts.length || undefined, 120_000)
    const history = await cli(['history', 'alice', '--limit', '500', '--json'], env)
    await final.stop()

    console.log(`${KILLS} kills: ${texts.length} messages, ${outputs.length} printed by the killed runs, ${printed(final).length} by the last`)
    const seqs = all().map((p) => p.seq)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(all().map((p) => p.text)).toEqual(texts)
    expect(history.code, history.stderr).toBe(0)
    const kept = (JSON.parse(history.stdout) as { messages: Message[] }).messages.map((m) => m.text).reverse()
    expect(kept).toEqual(texts)
  }, 360_000)

  it('a sender retrying every failed send with its client id, its node and its sends killed, duplicates nothing', async () => {
    const { env, host: b } = await contacts('Alice', 'Bob')
    let a = new CliNode(['run'], env)
    await a.ready()
    const SENDS = 20
    const outcomes: Record<string, number> = {}
    for (let i = 0; i < SENDS; i++) {
      let sent = false
      for (let attempt = 0; !sent && attempt < 12; attempt++) {
        // a third of the first attempts: the sending process itself is killed at a random moment
        const killSend = attempt === 0 && i % 3 === 1 ? 300 + random(1500) : 60_000
        const sending = cli(['send', 'bob', `s${i}`, '--client-id', `c-${i}`], env, { timeoutMs: killSend })
        if (attempt === 0 && i % 3 === 0) {
          // the node dies during the send, and comes back
          await new Promise((r) => setTimeout(r, 300 + random(1200)))
          await a.stop('SIGKILL')
          a = new CliNode(['run'], env)
        }
        const result = await sending
        const key = result.code === null ? 'killed' : String(result.code)
        outcomes[key] = (outcomes[key] ?? 0) + 1
        if (result.code === 4) expect(result.stderr).toMatch(/may have been stored/)
        if (result.code === 1) expect(result.stderr).toMatch(/not stored/)
        sent = result.code === 0
        // a script that lost the exit status of a send that went through sends it again: the same message
        if (sent && i % 4 === 2) {
          const again = await cli(['send', 'bob', `s${i}`, '--client-id', `c-${i}`], env)
          expect(again.code, again.stderr).toBe(0)
          expect(again.stdout).toBe(result.stdout)
        }
      }
      expect(sent, `s${i} was never acknowledged`).toBe(true)
    }
    console.log(`cairn send outcomes over ${SENDS} messages: ${JSON.stringify(outcomes)}`)
    expect(Object.keys(outcomes).some((k) => k !== '0')).toBe(true)

    // a node restarted while a send held the profile gives up after its bounded wait
    if (a.child.exitCode !== null) a = new CliNode(['run'], env)
    await a.ready(60_000)
    const wanted = Array.from({ length: SENDS }, (_, i) => `s${i}`)
    await waitFor('B has every message', () => wanted.every((t) => b.of('message').some((e) => e.message.text === t)), 120_000)
    const received = b.of('message').map((e) => e.message.text)
    expect(received).toEqual(wanted)
    const history = await cli(['history', 'bob', '--limit', '500', '--json'], env)
    expect(history.code, history.stderr).toBe(0)
    const sent = (JSON.parse(history.stdout) as { messages: Message[] }).messages.map((m) => m.text).reverse()
    expect(sent).toEqual(wanted)
    await a.stop()
  }, 300_000)
})
