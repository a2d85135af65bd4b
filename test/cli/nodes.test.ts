import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import createTestnet from 'hyperdht/testnet.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { connectControl } from '../../cli/control-client'
import { cryptoReady } from '../../core/crypto'
import { encodeContactId, generateIdentity } from '../../core/identity'
import { cli, CliNode, cliOnTerminal, killAll, type CliEnv } from '../helpers/cli-process'

// Two real `cairn` nodes, each a separate process, on a loopback HyperDHT testnet.

const PASS_A = 'alpha passphrase'
const PASS_B = 'bravo passphrase'

/** Presents the URL's code on the shell's API socket, as the page would: accepted or refused. */
function authWith(url: string): Promise<'auth-ok' | 'refused'> {
  const { host, origin, hash } = new URL(url)
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${host}/api`, { origin })
    ws.on('open', () => ws.send(JSON.stringify({ kind: 'auth', code: new URLSearchParams(hash.slice(1)).get('code') })))
    ws.on('message', (d) => {
      if ((JSON.parse(d.toString()) as { kind?: string }).kind === 'auth-ok') resolve('auth-ok')
      ws.close()
    })
    ws.on('close', () => resolve('refused'))
    ws.on('error', () => resolve('refused'))
  })
}

describe('cairn nodes on a loopback testnet', () => {
  let testnet: Awaited<ReturnType<typeof createTestnet>>
  let root: string
  let a: CliEnv
  let b: CliEnv
  let idA: string
  let idB: string

  const isMessage = (text: string) => (e: Record<string, unknown>) =>
    e.type === 'message' && (e.message as { text: string }).text === text

  beforeAll(async () => {
    testnet = await createTestnet(3, { host: '127.0.0.1' })
    const bootstrap = testnet.bootstrap.map((n: { host: string; port: number }) => `${n.host}:${n.port}`).join(',')
    root = await mkdtemp(join(tmpdir(), 'cairn-cli-'))
    a = { profile: join(root, 'a'), bootstrap, passphrase: PASS_A }
    b = { profile: join(root, 'b'), bootstrap, passphrase: PASS_B }

    const [initA, initB] = await Promise.all([cli(['init', '--name', 'Alice'], a), cli(['init', '--name', 'Bob'], b)])
    expect(initA.code, initA.stderr).toBe(0)
    expect(initB.code, initB.stderr).toBe(0)
    idA = initA.stdout.trim()
    idB = initB.stdout.trim()

    const [addB, addA] = await Promise.all([cli(['add', idB, '--name', 'bob'], a), cli(['add', idA, '--name', 'alice'], b)])
    expect(addB.code, addB.stderr).toBe(0)
    expect(addA.code, addA.stderr).toBe(0)
  })

  afterEach(killAll)

  afterAll(async () => {
    await killAll()
    await testnet?.destroy()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('prints exactly the ID for `id`, and never overwrites an identity', async () => {
    const id = await cli(['id'], a)
    expect(id).toEqual({ code: 0, stdout: `${idA}\n`, stderr: '' })

    const again = await cli(['init', '--name', 'Mallory'], a)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^cairn: .*already holds an identity.*\n$/)
    expect((await cli(['id'], a)).stdout).toBe(`${idA}\n`)
  })

  it('`set hidden on|off` saves the setting; anything else is a usage error', async () => {
    const on = await cli(['set', 'hidden', 'on', '--json'], a)
    expect(on.code, on.stderr).toBe(0)
    expect(JSON.parse(on.stdout)).toMatchObject({ hidden: true })
    expect((await cli(['set', 'hidden', 'maybe'], a)).code).toBe(2)
    expect((await cli(['set', 'invisible', 'on'], a)).code).toBe(2)
    expect(await cli(['set', 'hidden', 'off'], a)).toEqual({ code: 0, stdout: 'hidden: off\n', stderr: '' })
  })

  it('`invite` needs a running node; `add` refuses a damaged invite code', async () => {
    const invite = await cli(['invite'], a)
    expect(invite.code).toBe(2)
    expect(invite.stderr).toMatch(/needs a running node/)
    const bad = await cli(['add', 'cairn-invite:ybndrfg8'], b)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/not an invite code/)
  })

  it('refuses a wrong or missing passphrase with exit 3', async () => {
    const wrong = await cli(['contacts'], { ...a, passphrase: 'not it' })
    expect(wrong.code).toBe(3)
    expect(wrong.stderr.split('\n').filter(Boolean)).toHaveLength(1)

    const missing = await cli(['contacts'], { ...a, passphrase: undefined })
    expect(missing.code).toBe(3)
    expect(missing.stderr).toContain('a passphrase is needed')

    const typed = await cliOnTerminal(['id'], { ...a, passphrase: undefined }, [`${PASS_A}\r`])
    expect(typed.code).toBe(0)
    expect(typed.stdout).toContain(idA)
    expect(typed.stdout).not.toContain(PASS_A)

    const mistyped = await cliOnTerminal(['id'], { ...a, passphrase: undefined }, ['not it\r'])
    expect(mistyped.code).toBe(3)
    expect(mistyped.stdout).not.toContain('not it')

    const file = join(root, 'pass-a')
    await writeFile(file, `${PASS_A}\n`, { mode: 0o600 })
    const fromFile = await cli(['id', '--passphrase-file', file], { ...a, passphrase: undefined })
    expect(fromFile.stdout).toBe(`${idA}\n`)
  })

  it('exchanges messages between two running nodes; commands go through the control socket', async () => {
    const nodeA = new CliNode(['run'], a)
    const nodeB = new CliNode(['run'], b)
    await Promise.all([nodeA.ready(), nodeB.ready()])

    const socket = join(a.profile!, 'control.sock')
    expect((await stat(socket)).mode & 0o777).toBe(0o600)
    expect((await stat(a.profile!)).mode & 0o777).toBe(0o700)

    // No passphrase in these environments: they can only succeed through the running node.
    const viaA: CliEnv = { ...a, passphrase: undefined }
    const viaB: CliEnv = { ...b, passphrase: undefined }

    const sent = await cli(['send', 'bob', 'hello from A', '--json'], viaA)
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stderr).toBe('')
    const message = JSON.parse(sent.stdout) as { id: string; text: string }
    expect(message.text).toBe('hello from A')

    await nodeB.waitForEvent(isMessage('hello from A'), 90_000)
    await nodeA.waitForEvent((e) => e.type === 'message-state' && e.id === message.id && e.state === 'delivered')

    const reply = await cli(['send', idA, '-'], viaB, { input: 'reply from B\n' })
    expect(reply.code, reply.stderr).toBe(0)
    await nodeA.waitForEvent(isMessage('reply from B'))

    const history = await cli(['history', 'alice', '--limit', '10', '--json'], viaB)
    const page = JSON.parse(history.stdout) as { messages: { text: string; direction: string }[] }
    expect(page.messages.map((m) => [m.direction, m.text])).toEqual([
      ['out', 'reply from B'],
      ['in', 'hello from A']
    ])

    const status = await cli(['status', '--json'], viaA)
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, mode: 'internet', contactsOnline: 1 })
    expect((await cli(['status'], viaA)).stdout).toMatch(/node: +running\nnetwork: +internet\npeers connected: +[1-9]\d*\ncontacts online: +1\n/)

    const second = await cli(['run'], a)
    expect(second.code).toBe(1)
    expect(second.stderr).toContain('already running')

    expect(await nodeA.stop('SIGINT')).toBe(0)
    expect(await nodeB.stop('SIGTERM')).toBe(0)
    expect(existsSync(socket)).toBe(false)
  }, 180_000)

  it('sends a file with send-file; the other lists it with files, saves it with get-file, and run prints its progress', async () => {
    const nodeA = new CliNode(['run'], a)
    const nodeB = new CliNode(['run'], b)
    await Promise.all([nodeA.ready(), nodeB.ready()])
    const viaA: CliEnv = { ...a, passphrase: undefined }
    const viaB: CliEnv = { ...b, passphrase: undefined }
    const src = join(root, 'notes.pdf')
    const content = Buffer.alloc(300_000, 'cairn ')
    await writeFile(src, content)

    const sent = await cli(['send-file', 'bob', src, '--name', 'minutes.pdf', '--json'], viaA)
    expect(sent.code, sent.stderr).toBe(0)
    expect(JSON.parse(sent.stdout).file).toMatchObject({ name: 'minutes.pdf', size: 300_000, mediaType: 'application/pdf', state: 'ready' })
    const offered = await nodeB.waitForEvent((e) => e.type === 'message' && (e.message as { file?: { name: string } }).file?.name === 'minutes.pdf')
    const id = (offered.message as { id: string }).id

    const listed = await cli(['files', 'alice'], viaB)
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(new RegExp(`^${id}  <  offered\\s+293\\.0 KiB  application/pdf  minutes\\.pdf\\n$`))

    const out = join(root, 'saved')
    await mkdir(out)
    const got = await cli(['get-file', 'alice', id, '--to', out], viaB)
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout).toBe(`${join(out, 'minutes.pdf')}\n`)
    expect((await readFile(join(out, 'minutes.pdf'))).equals(content)).toBe(true)
    await nodeB.waitForEvent((e) => e.type === 'file-progress' && (e.progress as { state: string }).state === 'ready')
    expect((await cli(['files', 'alice', '--json'], viaB)).stdout).toContain('"state":"ready"')

    const missing = await cli(['get-file', 'alice', 'nope-9'], viaB)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/no message nope-9/)

    const forwarded = await cli(['forward-file', 'alice', id, 'alice', '--json'], viaB)
    expect(forwarded.code, forwarded.stderr).toBe(0)
    expect(JSON.parse(forwarded.stdout).file).toMatchObject({ name: 'minutes.pdf', size: 300_000, state: 'ready' })
    await nodeA.waitForEvent(
      (e) => e.type === 'message' && (e.message as { direction: string; file?: { name: string } }).file?.name === 'minutes.pdf' && (e.message as { direction: string }).direction === 'in'
    )
    const set = await cli(['set', 'auto-download', '2M', '--json'], viaB)
    expect(set.code, set.stderr).toBe(0)
    expect(JSON.parse(set.stdout)).toMatchObject({ autoDownloadBytes: 2 * 1024 * 1024 })
    await Promise.all([nodeA.stop(), nodeB.stop()])
  }, 120_000)

  it('delivers a message written while no node ran, once both run', async () => {
    const offline = await cli(['send', 'bob', 'written offline'], a)
    expect(offline.code, offline.stderr).toBe(0)
    expect(offline.stderr).toContain('goes out when `cairn run` next runs')
    expect((await cli(['send', 'bob', '-'], a, { input: 'and a second one' })).code).toBe(0)

    const nodeB = new CliNode(['run'], b)
    await nodeB.ready()
    const nodeA = new CliNode(['run'], a)
    await nodeA.ready()
    await nodeB.waitForEvent(isMessage('and a second one'), 90_000)
    const texts = nodeB.events().flatMap((e) => (e.type === 'message' ? [(e.message as { text: string }).text] : []))
    expect(texts).toEqual(['written offline', 'and a second one'])
    await Promise.all([nodeA.stop(), nodeB.stop()])
  }, 180_000)

  it('replaces the stale socket of a killed node', async () => {
    const first = new CliNode(['run'], a)
    await first.ready()
    await first.stop('SIGKILL')
    const socket = join(a.profile!, 'control.sock')
    expect(existsSync(socket)).toBe(true)

    // With no one answering, a one-shot command opens the profile itself.
    expect((await cli(['id'], a)).stdout).toBe(`${idA}\n`)

    const second = new CliNode(['run'], a)
    await second.ready()
    const routed = await cli(['id'], { ...a, passphrase: undefined })
    expect(routed.stdout).toBe(`${idA}\n`)
    expect(await second.stop()).toBe(0)
  })

  it('stops cleanly when the reader of its events goes away', async () => {
    const node = new CliNode(['run'], a)
    await node.ready()
    node.child.stdout.destroy()
    const sent = await cli(['send', 'bob', 'nobody reads the events'], { ...a, passphrase: undefined })
    expect(sent.code, sent.stderr).toBe(0)
    expect(await node.exit()).toBe(0)
    expect(existsSync(join(a.profile!, 'control.sock'))).toBe(false)
  })

  it('refuses to run where the control socket path would not fit, saying what to do', async () => {
    const long: CliEnv = { ...a, profile: join(root, 'x'.repeat(120)) }
    expect((await cli(['init', '--name', 'Long'], long)).code).toBe(0)
    const run = await cli(['run'], long)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^cairn: the control socket path .* is longer than \d+ bytes; use a shorter --profile folder\n$/)
  })

  it('lets only one of two nodes started at the same instant hold the profile', async () => {
    const nodes = [new CliNode(['run'], a), new CliNode(['run'], a)]
    const loser = await Promise.race(nodes.map((n) => n.exit().then(() => n)))
    expect(loser.child.exitCode).toBe(1)
    expect(loser.stderr).toMatch(/already running|open in another Cairn process/)
    const winner = nodes.find((n) => n !== loser)!
    await winner.ready()
    expect((await cli(['id'], { ...a, passphrase: undefined })).stdout).toBe(`${idA}\n`)
    expect(await winner.stop()).toBe(0)
  })

  // Eight CLI processes one after another, each starting Node and opening the profile: over a minute on a loaded 2-core CI.
  it('resolves contact names, and refuses unknown or ambiguous ones', async () => {
    const unknown = await cli(['send', 'carol', 'hi'], a)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^cairn: no contact is named "carol", and it is not a contact ID \(.*\)(; nor is it a group)?; the message was not stored\n$/)

    await cryptoReady()
    const stranger = encodeContactId(generateIdentity().publicKey)
    expect((await cli(['add', stranger, '--name', 'Bob'], a)).code).toBe(0)
    const ambiguous = await cli(['send', 'BOB', 'hi'], a)
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toContain('"BOB" names 2 contacts; use an ID')

    // An exact match wins over matches that differ only in case.
    const exact = await cli(['history', 'bob', '--json'], a)
    expect(exact.code, exact.stderr).toBe(0)

    expect((await cli(['block', 'Bob'], a)).code).toBe(0)
    const listed = JSON.parse((await cli(['contacts', '--json'], a)).stdout) as { id: string; blocked: boolean }[]
    expect(listed.find((c) => c.id === stranger)?.blocked).toBe(true)
    expect(listed.find((c) => c.id === idB)?.blocked).toBe(false)

    expect((await cli(['remove', 'Bob'], a)).code).toBe(0)
    const contacts = JSON.parse((await cli(['contacts', '--json'], a)).stdout) as { id: string }[]
    expect(contacts.map((c) => c.id)).toEqual([idB])
  }, 180_000)

  it('serves the web shell next to the control socket, and stops when a client locks the profile', async () => {
    // The net project's global setup has built the renderer (test/helpers/renderer-setup.ts); serving
    // without a build is covered in test/shell/webshell.test.ts.
    const node = new CliNode(['serve', '--port', '0'], b)
    await node.ready()
    const url = node.lines.find((l) => l.startsWith('http://127.0.0.1:'))
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]{43}$/)
    const page = await fetch(url!.split('#')[0])
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')

    // another browser or tab: a fresh single-use URL from the running node, each code good once
    const more = await cli(['web-url'], b)
    expect(more.code, more.stderr).toBe(0)
    const again = more.stdout.trim()
    expect(again).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]{43}$/)
    expect(again).not.toBe(url)
    expect(new URL(again).origin).toBe(new URL(url!).origin)
    for (const u of [url!, again]) {
      expect(await authWith(u)).toBe('auth-ok')
      expect(await authWith(u)).toBe('refused')
    }

    const control = await connectControl(join(b.profile!, 'control.sock'))
    await control!.api.lock()
    control!.close()
    expect(await node.exit()).toBe(0)
    expect(node.events().at(-1)).toEqual({ type: 'locked' })
    expect(existsSync(join(b.profile!, 'control.sock'))).toBe(false)
    const none = await cli(['web-url'], b)
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/no cairn node is running .*cairn serve/)
  })

  it("shows a stranger's request on the running node; accept makes them a contact", async () => {
    const c: CliEnv = { profile: join(root, 'c'), bootstrap: a.bootstrap, passphrase: 'charlie passphrase' }
    const initC = await cli(['init', '--name', 'Carol'], c)
    expect(initC.code, initC.stderr).toBe(0)
    const idC = initC.stdout.trim()
    expect((await cli(['add', idA, '--name', 'alice'], c)).code).toBe(0)

    const nodeA = new CliNode(['run'], a)
    await nodeA.ready()
    const nodeC = new CliNode(['run'], c)
    await nodeC.ready()
    // Generous: the first request over a fresh inbox connection has taken ~20 s on a loaded machine.
    await nodeA.waitForEvent((e) => e.type === 'request' && (e.request as { id: string }).id === idC, 90_000)

    const viaA: CliEnv = { ...a, passphrase: undefined }
    const requests = await cli(['requests', '--json'], viaA)
    expect(JSON.parse(requests.stdout)).toMatchObject([{ id: idC, name: 'Carol' }])
    expect((await cli(['requests'], viaA)).stdout).toMatch(/ANNOUNCED NAME \(unverified\)[\s\S]*Carol/)

    const accepted = await cli(['accept', idC, '--name', 'carol'], viaA)
    expect(accepted).toMatchObject({ code: 0, stdout: `accepted carol ${idC}\n` })

    const sent = await cli(['send', 'alice', 'hi after accept'], { ...c, passphrase: undefined })
    expect(sent.code, sent.stderr).toBe(0)
    await nodeA.waitForEvent(isMessage('hi after accept'))
    await Promise.all([nodeA.stop(), nodeC.stop()])
  }, 180_000)
})

