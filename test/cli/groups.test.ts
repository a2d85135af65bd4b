import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import createTestnet from 'hyperdht/testnet.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cli, CliNode, killAll, type CliEnv } from '../helpers/cli-process'

// Three real `cairn` nodes on a loopback testnet: a group made, used and changed from the command line.

describe('cairn group', () => {
  let testnet: Awaited<ReturnType<typeof createTestnet>>
  let root: string
  const env: Record<'a' | 'b' | 'c', CliEnv> = { a: {}, b: {}, c: {} }
  const ids: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' }

  beforeAll(async () => {
    testnet = await createTestnet(3, { host: '127.0.0.1' })
    const bootstrap = testnet.bootstrap.map((n: { host: string; port: number }) => `${n.host}:${n.port}`).join(',')
    root = await mkdtemp(join(tmpdir(), 'cairn-cli-groups-'))
    for (const [k, name] of [['a', 'Alice'], ['b', 'Bob'], ['c', 'Carol']] as const) {
      env[k] = { profile: join(root, k), bootstrap, passphrase: `${name} passphrase` }
      const init = await cli(['init', '--name', name], env[k])
      expect(init.code, init.stderr).toBe(0)
      ids[k] = init.stdout.trim()
    }
    for (const [args, who] of [
      [['add', ids.b, '--name', 'bob'], 'a'],
      [['add', ids.c, '--name', 'carol'], 'a'],
      [['add', ids.a, '--name', 'alice'], 'b'],
      [['add', ids.a, '--name', 'alice'], 'c']
    ] as const) {
      const r = await cli([...args], env[who])
      expect(r.code, r.stderr).toBe(0)
    }
    // seven one-shot commands, each a process that starts, unlocks and exits
  }, 120_000)

  afterEach(killAll)

  afterAll(async () => {
    await killAll()
    await testnet?.destroy()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('creates a group from contacts, chats in it, removes a member, lists and leaves', async () => {
    const nodes = { a: new CliNode(['run'], env.a), b: new CliNode(['run'], env.b), c: new CliNode(['run'], env.c) }
    await Promise.all(Object.values(nodes).map((n) => n.ready()))
    const via = (k: 'a' | 'b' | 'c'): CliEnv => ({ ...env[k], passphrase: undefined })
    // Both contacts' hellos (their prekey bundles) have reached Alice: the invitations can be sealed.
    for (const name of ['Bob', 'Carol']) {
      await nodes.a.waitForEvent((e) => e.type === 'contact' && (e.contact as { announcedName: string | null }).announcedName === name, 90_000)
    }

    const usage = await cli(['group', 'frobnicate', 'x'], via('a'))
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/unknown action "frobnicate"/)

    const created = await cli(['group', 'create', 'Crew', 'bob', 'carol', '--json'], via('a'))
    expect(created.code, created.stderr).toBe(0)
    const group = JSON.parse(created.stdout) as { id: string; name: string; admin: boolean }
    expect(group).toMatchObject({ name: 'Crew', admin: true })
    const joined = (e: Record<string, unknown>) => {
      const g = e.group as { id: string; status: string; members: unknown[] } | undefined
      return e.type === 'group' && g?.id === group.id && g.status === 'member' && g.members.length === 3
    }
    await Promise.all([nodes.b.waitForEvent(joined, 60_000), nodes.c.waitForEvent(joined, 60_000)])

    const line = (text: string) => (e: Record<string, unknown>) =>
      e.type === 'group-message' && (e.message as { text: string; unreadable: boolean }).text === text
    const sent = await cli(['send', 'Crew', 'hello crew'], via('a'))
    expect(sent.code, sent.stderr).toBe(0)
    const got = await nodes.b.waitForEvent(line('hello crew'), 60_000)
    expect(got.message).toMatchObject({ authorName: 'alice', author: ids.a, group: group.id, direction: 'in' })
    await nodes.c.waitForEvent(line('hello crew'), 60_000)

    // Bob and Carol are not each other's contacts: still one group, by its name or the start of its id.
    expect((await cli(['send', group.id.slice(0, 10), '-'], via('b'), { input: 'from bob\n' })).code).toBe(0)
    await nodes.c.waitForEvent(line('from bob'), 60_000)

    const groups = await cli(['groups'], via('c'))
    expect(groups.stdout).toMatch(/^NAME\s+ID\s+MEMBERS\s+UNREAD\s+STATUS\nCrew\s+[0-9a-f]{12}\s+3\s+2\s+member\n$/)
    const members = await cli(['group', 'members', 'Crew'], via('b'))
    expect(members.stdout).toMatch(/alice\s+\S+\s+admin/)

    const removed = await cli(['group', 'remove', 'Crew', 'carol', '--json'], via('a'))
    expect(removed.code, removed.stderr).toBe(0)
    await nodes.c.waitForEvent((e) => e.type === 'group' && (e.group as { status: string }).status === 'removed', 60_000)
    expect((await cli(['send', 'Crew', 'let me back'], via('c'))).stderr).toMatch(/no longer a member/)

    expect((await cli(['group', 'rename', 'Crew', 'Core crew'], via('a'))).code).toBe(0)
    await cli(['send', 'Core crew', 'just us'], via('a'))
    await nodes.b.waitForEvent(line('just us'), 60_000)
    const history = await cli(['history', 'Core crew'], via('b'))
    // Carol is no contact of Bob's: his screen names her by the start of her ID.
    const lines = history.stdout.split('\n').filter(Boolean)
    const carol = ids.c.slice(0, 10)
    expect(lines[0]).toBe('-- alice created the group “Crew”')
    expect(lines.slice(1, 3).sort()).toEqual(['-- alice added You', `-- alice added ${carol}`].sort())
    expect(lines.slice(3)).toEqual([
      expect.stringMatching(/ alice: hello crew$/),
      expect.stringMatching(/ You: from bob {2}\[delivered [01]\/1, read [01]\/1\]$/),
      `-- alice removed ${carol}`,
      '-- alice renamed the group to “Core crew”',
      expect.stringMatching(/ alice: just us$/)
    ])
    expect(nodes.c.events().some((e) => line('just us')(e))).toBe(false)

    const left = await cli(['group', 'leave', 'Core crew'], via('b'))
    expect(left.code, left.stderr).toBe(0)
    await nodes.a.waitForEvent((e) => e.type === 'group-message' && (e.message as { text: string }).text === 'bob left', 60_000)
  }, 240_000)
})
