import { afterEach, describe, expect, it } from 'vitest'
import { CairnHost } from '../../core/host/host'
import { ChildNode } from '../helpers/child-process'
import { Fixture, PASS } from '../helpers/core'

const f = new Fixture()
const children: ChildNode[] = []
afterEach(async () => {
  for (const c of children.splice(0)) await c.close()
  await f.cleanup()
})

describe('CairnHost lifecycle', () => {
  it('goes none → unlocked → locked → unlocked, keeping the identity', async () => {
    const { host, dir } = await f.host()
    expect(await host.state()).toEqual({ profile: 'none', me: null })
    await expect(host.contacts()).rejects.toMatchObject({ code: 'locked' })
    const me = await host.create('Alice', PASS)
    expect(me.name).toBe('Alice')
    expect(await host.state()).toEqual({ profile: 'unlocked', me })
    await expect(host.create('Again', PASS)).rejects.toMatchObject({ code: 'profile-exists' })
    await host.lock()
    expect(await host.state()).toEqual({ profile: 'locked', me: null })
    await expect(host.send(me.id, 'x')).rejects.toMatchObject({ code: 'locked' })
    await expect(host.unlock('wrong passphrase')).rejects.toMatchObject({ code: 'wrong-passphrase' })
    expect(await host.unlock(PASS)).toEqual(me)
    await host.close()
    const again = new CairnHost({ profileDir: dir, bootstrap: (await f.net()).bootstrap, lanDiscovery: false })
    expect((await again.state()).profile).toBe('locked')
    await again.close()
  })

  it('rejects bad input with typed errors and keeps working', async () => {
    const { host } = await f.host()
    await expect(host.create('bell\u0007', PASS)).rejects.toMatchObject({ code: 'invalid-argument' })
    expect((await host.state()).profile).toBe('none')
    const me = await host.create('Alice', PASS)
    const bad: Array<[() => Promise<unknown>, string]> = [
      [() => host.addContact('not-an-id', 'x'), 'invalid-contact-id'],
      [() => host.addContact(me.id, 'me'), 'self'],
      [() => host.addContact(42 as unknown as string, 'x'), 'invalid-argument'],
      [() => host.send(me.id.slice(0, -1) + (me.id.endsWith('y') ? 'o' : 'y'), 'x'), 'invalid-contact-id'],
      [() => host.history(me.id, { limit: 0 }), 'invalid-argument'],
      [() => host.acceptRequest(me.id), 'self'],
      [() => host.renameContact(me.id, ''), 'invalid-argument'],
      [() => host.updateSettings({ bogus: 1 } as never), 'invalid-argument'],
      [() => host.setName('two\nlines'), 'invalid-argument']
    ]
    for (const [call, code] of bad) await expect(call()).rejects.toMatchObject({ code })
    expect(await host.contacts()).toEqual([])
    // LAN discovery is on by default (this run is kept off the LAN by its options, the stored setting is not).
    expect(await host.settings()).toEqual({ name: 'Alice', lanDiscovery: true, hidden: false, autoDownloadBytes: 8 * 1024 * 1024 })
    expect(await host.setName('Alice B')).toMatchObject({ name: 'Alice B' })
  })

  it('concurrent unlocks open the profile once', async () => {
    const { host } = await f.host()
    const me = await host.create('Alice', PASS)
    await host.lock()
    const results = await Promise.all([host.unlock(PASS), host.unlock(PASS), host.unlock(PASS)])
    expect(results).toEqual([me, me, me])
  })

  it('a second host in this process gets profile-busy', async () => {
    const { host, dir } = await f.host()
    await host.create('Alice', PASS)
    const second = new CairnHost({ profileDir: dir, bootstrap: (await f.net()).bootstrap, lanDiscovery: false })
    await expect(second.unlock(PASS)).rejects.toMatchObject({ code: 'profile-busy' })
    await second.close()
    expect((await host.profile()).name).toBe('Alice')
  })

  it('a second process gets profile-busy, and the profile is intact afterwards', async () => {
    const net = await f.net()
    const dir = await f.dir()
    const first = new ChildNode(dir, net.bootstrap)
    children.push(first)
    await first.ready
    const me = await first.call<{ id: string }>('create', 'Alice', PASS)
    const second = new ChildNode(dir, net.bootstrap)
    children.push(second)
    await second.ready
    await expect(second.call('unlock', PASS)).rejects.toMatchObject({ code: 'profile-busy' })
    await first.close()
    expect(await second.call('unlock', PASS)).toEqual(me)
  })
})
