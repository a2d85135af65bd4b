import { afterEach, describe, expect, it } from 'vitest'
import Corestore from 'corestore'
import { boxLayout, decodePairingCode, type BoxEvent, type HomeBox } from '../../core/home'
import { cli, CliNode, killAll, until } from '../helpers/cli-process'
import { HomeFixture } from './helpers'

const f = new HomeFixture()
afterEach(async () => {
  await killAll()
  await f.cleanup()
})

/** How many blocks the box's record Hyperbee has: one per record write. Read with the box closed. */
async function recordWrites(dir: string): Promise<number> {
  const store = new Corestore(boxLayout(dir).cores)
  const db = store.get({ name: 'home/db' })
  await db.ready()
  const length = db.length
  await store.close()
  return length
}

function fetchedTo(box: HomeBox, length: number): Promise<void> {
  return new Promise((resolve) => {
    const on = (e: BoxEvent) => {
      if (e.type !== 'fetched' || e.length < length) return
      box.off('event', on)
      resolve()
    }
    box.on('event', on)
  })
}

describe('what the home node writes as it fetches', () => {
  it('counts fetch progress in memory and writes it once at close, not once per fetch', async () => {
    const box = await f.box()
    const alice = await f.device()
    const owner = await f.paired(box, alice)
    const log = alice.store.get({ name: 'out/bob' })
    await log.ready()
    await log.append(Buffer.alloc(100, 0))
    const first = fetchedTo(box, 1)
    await owner.keep(log)
    await first
    await owner.close()
    const dir = box.dir
    await box.close()
    const before = await recordWrites(dir)

    const again = await f.box(dir)
    const back = await f.client(again.publicKey, alice.linkKey(again.publicKey))
    await back.want(log)
    for (let i = 1; i <= 30; i++) {
      const fetched = fetchedTo(again, i + 1)
      await log.append(Buffer.alloc(100, i))
      await fetched
    }
    expect(await back.status()).toMatchObject({ bytes: 3100 })
    await back.close()
    await again.close()
    expect(await recordWrites(dir)).toBeLessThanOrEqual(before + 1)

    const third = await f.box(dir, { listen: false })
    expect((await third.status()).profiles[0]).toMatchObject({ bytes: 3100, logs: 1 })
  })

  it('a box killed before writing its progress counts again at open what is on its disk', async () => {
    const testnet = await f.net()
    const bootstrap = testnet.bootstrap.map(({ host, port }) => `${host}:${port}`).join(',')
    const dir = await f.dir()
    const init = await cli(['home', 'init', '--json'], { profile: dir })
    expect(init.code, init.stderr).toBe(0)
    const { code } = JSON.parse(init.stdout) as { code: string }
    const pairing = decodePairingCode(code)

    const node = new CliNode(['home', 'run'], { profile: dir, bootstrap })
    const up = await until(() => node.stderr.includes('listening') || node.child.exitCode !== null || undefined, 30_000)
    expect(up && node.child.exitCode === null, node.stderr).toBe(true)
    const alice = await f.device()
    const owner = await f.client(pairing.boxKey, alice.linkKey(pairing.boxKey))
    await owner.pair(pairing)
    const log = alice.store.get({ name: 'out/bob' })
    await log.ready()
    await log.append([Buffer.alloc(100, 1), Buffer.alloc(100, 2), Buffer.alloc(100, 3)])
    await owner.keep(log)
    await node.waitForEvent((e) => e.type === 'fetched' && e.length === 3)
    await log.append([Buffer.alloc(100, 4), Buffer.alloc(100, 5)])
    await node.waitForEvent((e) => e.type === 'fetched' && e.length === 5)
    await owner.close()
    expect(await node.stop('SIGKILL')).toBe(null)

    const box = await f.box(dir, { listen: false })
    expect((await box.status()).profiles[0]).toMatchObject({ bytes: 500, logs: 1 })
  }, 90_000)
})
