import { describe, expect, it } from 'vitest'
import { integerOption, parseCommandLine } from '../../cli/args'
import { EXIT, exitCodeFor, OutcomeUnknown, UsageError } from '../../cli/exit-codes'
import { CairnError } from '../../core/api/errors'

function usage(argv: string[]): string {
  try {
    parseCommandLine(argv)
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    expect(exitCodeFor(err)).toBe(EXIT.usage)
    return (err as Error).message
  }
  throw new Error(`accepted: ${argv.join(' ')}`)
}

describe('command line', () => {
  it('takes global options before and after the command', () => {
    const parsed = parseCommandLine(['--profile', '/p', 'send', 'ops', 'hello world', '--bootstrap', '127.0.0.1:1', '--no-lan', '--json'])
    expect(parsed).toMatchObject({
      kind: 'command',
      command: { name: 'send' },
      globals: { profile: '/p', bootstrap: '127.0.0.1:1', noLan: true, json: true },
      positionals: ['ops', 'hello world']
    })
  })

  it('passes text that starts with a dash after --', () => {
    const parsed = parseCommandLine(['send', 'ops', '--', '-5 degrees'])
    expect(parsed).toMatchObject({ kind: 'command', positionals: ['ops', '-5 degrees'] })
  })

  it('accepts a command option only on commands that take it', () => {
    expect(parseCommandLine(['history', 'ops', '--limit', '5'])).toMatchObject({ options: { limit: '5' } })
    expect(usage(['send', 'ops', 'hi', '--limit', '5'])).toBe('send does not take --limit')
    expect(parseCommandLine(['delete', 'ops', 'ab12-4', '--for-everyone'])).toMatchObject({ options: { 'for-everyone': 'true' } })
    expect(usage(['clear', 'ops', '--for-everyone'])).toBe('clear does not take --for-everyone')
    expect(usage(['delete', 'ops', 'ab12-4', '--for-everyone=yes'])).toContain('for-everyone')
  })

  it('refuses unknown commands, unknown options, missing and extra arguments', () => {
    expect(usage(['frobnicate'])).toContain('unknown command "frobnicate"')
    expect(usage([])).toContain('no command given')
    expect(usage(['id', '--passphrase', 'x'])).toContain("Unknown option '--passphrase'")
    expect(parseCommandLine(['reply', 'ops', 'ab12-4', 'agreed'])).toMatchObject({ command: { name: 'reply' }, positionals: ['ops', 'ab12-4', 'agreed'] })
    expect(usage(['reply', 'ops', 'ab12-4'])).toContain('reply: missing TEXT')
    expect(parseCommandLine(['edit', 'ops', 'ab12-4', 'fixed'])).toMatchObject({ command: { name: 'edit' }, positionals: ['ops', 'ab12-4', 'fixed'] })
    expect(parseCommandLine(['react', 'ops', 'ab12-4', '👍'])).toMatchObject({ command: { name: 'react' }, positionals: ['ops', 'ab12-4', '👍'] })
    expect(usage(['send', 'ops'])).toContain('send: missing TEXT')
    expect(usage(['send'])).toContain('send: missing CONTACT TEXT')
    expect(usage(['send', 'ops', 'hello', 'world'])).toContain('too many arguments; quote the text')
    expect(usage(['add', '--name'])).toContain("'--name <value>' argument missing")
  })

  it('routes help and version', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' })
    expect(parseCommandLine(['send', '--help'])).toMatchObject({ kind: 'help', command: { name: 'send' } })
    expect(parseCommandLine(['help', 'history'])).toMatchObject({ kind: 'help', command: { name: 'history' } })
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' })
    expect(usage(['help', 'nope'])).toContain('unknown command "nope"')
  })

  it('checks integer options', () => {
    expect(integerOption('limit', '20', 1, 500)).toBe(20)
    expect(integerOption('limit', undefined, 1, 500)).toBeUndefined()
    for (const bad of ['0', '501', '1.5', '-3', 'ten', '']) {
      expect(() => integerOption('limit', bad, 1, 500)).toThrow(/--limit must be a whole number from 1 to 500/)
    }
  })

  it('maps errors to distinct exit codes', () => {
    expect(exitCodeFor(new CairnError('invalid-contact-id', 'checksum mismatch'))).toBe(EXIT.usage)
    expect(exitCodeFor(new CairnError('wrong-passphrase', 'wrong'))).toBe(EXIT.passphrase)
    expect(exitCodeFor(new CairnError('locked', 'no passphrase'))).toBe(EXIT.passphrase)
    expect(exitCodeFor(new CairnError('profile-busy', 'busy'))).toBe(EXIT.runtime)
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT.runtime)
    expect(exitCodeFor(new OutcomeUnknown('the node went away'))).toBe(EXIT.unknown)
    expect(new Set(Object.values(EXIT)).size).toBe(5)
  })
})
