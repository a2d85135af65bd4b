// Two hosts on a namespace LAN with no internet, each running a Cairn node with its web shell and a
// Chromium with fake devices, both inside the host's namespace (Chromium is started through a
// script that enters it; Playwright drives it over its pipe, which crosses namespaces). The pages
// talk to their own node on the namespace's loopback; the nodes find each other by multicast DNS and
// carry the call over the LAN, as two laptops on one network would. Shared by the LAN call tests and
// bench/calls.bench.ts.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Locator, Page } from 'playwright-core'
import { CHROMIUM_PATH } from '../../../scripts/chromium'
import { Browser } from '../e2e'
import { delayBetweenHosts, type DelayedPath } from './delayed-path'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess } from './netns'

const SHELL_NODE = fileURLToPath(new URL('./shell-node.ts', import.meta.url))
export const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required']

export { labUnavailable }

export interface CallSide {
  name: 'Alice' | 'Bob'
  ns: string
  node: NodeProcess
  browser: Browser
  page: Page
  id: string
}

export interface CallLab {
  lab: Lab
  /** The delay relay between the hosts, when the lab was started with a delay. */
  path: DelayedPath | null
  alice: CallSide
  bob: CallSide
  /** Alice calls Bob from the conversation and Bob accepts (with video when `video`); resolves once both screens show the call. */
  call(video: boolean): Promise<{ alice: Locator; bob: Locator }>
  destroy(): Promise<void>
}

export interface CallLabOptions {
  tag: string
  /** Chromium flags for Alice's browser beyond the fake devices (her microphone's WAV). */
  aliceArgs?: string[]
  /** Runs on each page before it opens the app (init scripts that meter the call). */
  prepare?: (alice: Page, bob: Page) => Promise<void>
  /** One-way delay between the hosts, mean ± spread ms (./delay-relay.ts), from before the nodes start. */
  delay?: { meanMs: number; spreadMs: number }
}

export async function startCallLab(o: CallLabOptions): Promise<CallLab> {
  removeLeftovers()
  const dir = mkdtempSync(join(tmpdir(), 'cairn-call-lab-'))
  const lab = Lab.create(['a', 'b'], o.tag, { defaultRoute: false })
  const sides: CallSide[] = []
  let path: DelayedPath | null = null
  const destroy = async () => {
    for (const side of sides) await side.browser?.close()
    await Promise.allSettled(sides.map((side) => side.node?.stop(20_000)))
    await path?.stop()
    lab.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    if (o.delay) path = await delayBetweenHosts(lab, o.delay.meanMs, o.delay.spreadMs)
    const start = async (host: 'a' | 'b', name: 'Alice' | 'Bob', args: string[]) => {
      const ns = lab.host(host).ns
      const side = { name, ns } as CallSide
      sides.push(side)
      side.node = lab.spawn(host, SHELL_NODE, { CAIRN_PROFILE: join(dir, host), CAIRN_NAME: name })
      const ready = await side.node.wait((r) => r.type === 'ready', 90_000, 'ready')
      side.id = String(ready.id)
      const launcher = join(dir, `chromium-${host}.sh`)
      writeFileSync(launcher, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_PATH} "$@"\n`)
      chmodSync(launcher, 0o755)
      side.browser = await Browser.launch([...FAKE_MEDIA, ...args], launcher)
      side.page = await side.browser.page()
      return { side, url: String(ready.url) }
    }
    const [a, b] = [await start('a', 'Alice', o.aliceArgs ?? []), await start('b', 'Bob', [])]
    a.side.node.send({ cmd: 'add', id: b.side.id, name: 'Bob' })
    b.side.node.send({ cmd: 'add', id: a.side.id, name: 'Alice' })
    await a.side.node.wait((r) => r.type === 'contact' && r.id === b.side.id && r.presence === 'lan', 120_000, 'Bob on the LAN')
    await o.prepare?.(a.side.page, b.side.page)
    for (const { side, url } of [a, b]) {
      await side.page.goto(url)
      await side.page.getByRole('heading', { name: 'Contacts' }).waitFor({ timeout: 90_000 })
    }
    const [alice, bob] = [a.side, b.side]
    return { lab, path, alice, bob, call: (video) => call(alice.page, bob.page, video), destroy }
  } catch (err) {
    await destroy()
    throw err
  }
}

async function call(a: Page, b: Page, video: boolean): Promise<{ alice: Locator; bob: Locator }> {
  await a.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Bob\b/ }).click()
  await b.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Alice\b/ }).click()
  const button = a.getByRole('region', { name: 'Bob' }).getByRole('button', { name: video ? 'Video call' : 'Call', exact: true })
  await button.click({ timeout: 60_000 })
  const incoming = b.getByRole('dialog', { name: 'Incoming call from Alice' })
  await incoming.getByRole('button', { name: video ? 'Accept with video' : 'Accept', exact: true }).click({ timeout: 30_000 })
  const screens = { alice: a.getByRole('dialog', { name: 'Call with Bob' }), bob: b.getByRole('dialog', { name: 'Call with Alice' }) }
  await screens.alice.waitFor({ timeout: 30_000 })
  await screens.bob.waitFor({ timeout: 30_000 })
  return screens
}
