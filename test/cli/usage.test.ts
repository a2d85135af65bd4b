import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cli, killAll } from '../helpers/cli-process'

// The binary's contract for mistakes in the command line: nothing opened, one line on stderr, exit 2.

describe('cairn usage errors', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-cli-usage-'))
  })
  afterEach(killAll)
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  function expectUsageError(result: { code: number | null; stdout: string; stderr: string }, text: string) {
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1)
    expect(result.stderr).toContain(text)
  }

  it('refuses an auto-download size that is not one', async () => {
    for (const bad of ['lots', '8MB', '1.5M', '3G']) {
      expectUsageError(await cli(['set', 'auto-download', bad], { profile: dir }), 'auto-download takes off or a size up to 2G')
    }
  })

  it('refuses an unknown command', async () => {
    expectUsageError(await cli(['frobnicate'], { profile: dir }), 'cairn: unknown command "frobnicate"')
  })

  it('refuses send without text, and extra words', async () => {
    expectUsageError(await cli(['send', 'ops'], { profile: dir }), 'send: missing TEXT')
    expectUsageError(await cli(['send', 'ops', 'two', 'words'], { profile: dir }), 'quote the text')
  })

  it('refuses an option that is not an option, and a passphrase given as a flag', async () => {
    expectUsageError(await cli(['id', '--passphrase', 'hunter2'], { profile: dir }), "Unknown option '--passphrase'")
  })

  it('refuses a malformed bootstrap list', async () => {
    expectUsageError(await cli(['id', '--bootstrap', 'localhost'], { profile: dir }), 'bootstrap node "localhost" is not host:port')
  })

  it('refuses a malformed contact ID, saying what is wrong, before asking for a passphrase', async () => {
    expectUsageError(await cli(['add', 'not-an-id'], { profile: dir }), "contact ID has a character that cannot occur in an ID, '-'")
    expectUsageError(await cli(['add', 'ybndrfg8'], { profile: dir }), 'contact ID is too short')
  })

  it('documents the exit codes in --help', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/Exit status:\n\s+0\s+success\n\s+1\s+.*\n\s+2\s+usage error.*\n\s+3\s+no passphrase/)
  })
})
