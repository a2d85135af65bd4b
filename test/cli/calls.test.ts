// `cairn run` and calls: the headless node has no one to ring, so it answers 'unavailable', and it
// prints the call's events as JSON lines for its owner. The caller is a profile in this process.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { CairnHost } from '../../core/host/host'
import type { CairnEvent } from '../../core/api/types'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { cli, CliNode, killAll } from '../helpers/cli-process'
import { waitFor } from '../helpers/core'

let testnet: LocalTestnet | null = null
let root = ''
let host: CairnHost | null = null

afterAll(async () => {
  await killAll()
  await host?.close()
  await testnet?.destroy()
  if (root) await rm(root, { recursive: true, force: true })
})

it('a running headless node answers a call unavailable and prints the call and its end', async () => {
  testnet = await createLocalTestnet(3)
  root = await mkdtemp(join(tmpdir(), 'cairn-cli-calls-'))
  const bootstrap = testnet.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
  const env = { profile: join(root, 'node'), bootstrap, passphrase: 'node passphrase' }
  const init = await cli(['init', '--name', 'Node'], env)
  expect(init.code, init.stderr).toBe(0)
  const nodeId = init.stdout.trim()

  host = new CairnHost({ profileDir: join(root, 'alice'), bootstrap: testnet.bootstrap, lanDiscovery: false })
  const events: CairnEvent[] = []
  host.on('event', (e: CairnEvent) => events.push(e))
  const aliceId = (await host.create('Alice', 'alice passphrase')).id
  await host.addContact(nodeId, 'Node')
  expect((await cli(['add', aliceId, '--name', 'alice'], env)).code).toBe(0)

  const node = new CliNode(['run'], env)
  await node.ready()
  await waitFor('connected', async () => (await host!.contacts())[0]?.presence !== 'offline', 60_000)
  await host.send(nodeId, 'are you there')
  await node.waitForEvent((e) => e.type === 'message')

  const call = await host.startCall(nodeId, false)
  const ended = await node.waitForEvent((e) => e.type === 'call-ended')
  expect(ended).toMatchObject({ call: { id: call.id, contact: aliceId, direction: 'in' }, end: { reason: 'unavailable', by: 'local' } })
  expect(node.events().find((e) => e.type === 'call')).toMatchObject({ call: { id: call.id, phase: 'ringing' } })
  await waitFor('alice hears unavailable', () => events.some((e) => e.type === 'call-ended'))
  expect(events.find((e) => e.type === 'call-ended')).toMatchObject({ end: { reason: 'unavailable', by: 'remote' } })
  // The call stays in the node's history as a missed call: a message event with its number, and a line of `history`.
  const line = await node.waitForEvent((e) => e.type === 'message' && (e.message as { call?: unknown }).call !== undefined)
  expect(line).toMatchObject({ message: { direction: 'in', call: { outcome: 'missed', video: false, durationMs: 0 } } })
  expect(typeof (line as { seq?: number }).seq).toBe('number')
  const history = await cli(['history', 'alice'], env)
  expect(history.code, history.stderr).toBe(0)
  expect(history.stdout).toMatch(/\* Missed call\n/)
})
