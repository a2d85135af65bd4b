import { parseArgs } from 'node:util'
import { UsageError } from './exit-codes'

/** Options every command accepts, before or after the command name. */
const GLOBAL_OPTIONS = {
  profile: { type: 'string' },
  bootstrap: { type: 'string' },
  'no-lan': { type: 'boolean' },
  'passphrase-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' }
} as const

const COMMAND_OPTIONS = {
  name: { type: 'string' },
  limit: { type: 'string' },
  port: { type: 'string' },
  'backup-file': { type: 'string' },
  quota: { type: 'string' },
  'expire-days': { type: 'string' },
  to: { type: 'string' },
  'for-everyone': { type: 'boolean' },
  since: { type: 'string' },
  'client-id': { type: 'string' },
  contact: { type: 'string' }
} as const

type CommandOption = keyof typeof COMMAND_OPTIONS

/** `cairn disappear`'s choices, in seconds (the protocol's DISAPPEARING_SECONDS). */
export const DISAPPEAR_AFTER: Record<string, number> = { off: 0, '5m': 300, '1h': 3600, '8h': 28_800, '1d': 86_400, '1w': 604_800, '4w': 2_419_200 }

const METAVAR: Record<CommandOption, string> = {
  name: 'NAME',
  limit: 'N',
  port: 'N',
  'backup-file': 'FILE',
  quota: 'SIZE',
  'expire-days': 'DAYS',
  to: 'DIR',
  'for-everyone': '',
  since: 'N',
  'client-id': 'ID',
  contact: 'CONTACT'
}

export interface CommandSpec {
  name: string
  /** Positional argument names as shown in usage; a trailing '?' marks an optional one. */
  args: string[]
  options: CommandOption[]
  /** Options the command cannot run without. */
  required?: CommandOption[]
  summary: string
}

export const COMMANDS: CommandSpec[] = [
  { name: 'init', args: [], options: ['name'], summary: 'create an identity (NAME defaults to the host name); never overwrites one' },
  {
    name: 'restore',
    args: [],
    options: ['backup-file', 'name'],
    required: ['backup-file'],
    summary: 'create a profile from an identity backup (contacts are not in it: add them again)'
  },
  {
    name: 'export',
    args: [],
    options: ['backup-file'],
    required: ['backup-file'],
    summary: 'write my identity, sealed under a backup passphrase, to a new FILE'
  },
  { name: 'id', args: [], options: [], summary: 'print my contact ID' },
  { name: 'add', args: ['ID'], options: ['name'], summary: 'add a contact by ID or invite code (sends them a contact request)' },
  { name: 'invite', args: [], options: [], summary: 'print a one-time invite code (needs a running node; reaches me even while hidden)' },
  { name: 'contacts', args: [], options: [], summary: 'list contacts with presence and unread counts' },
  { name: 'requests', args: [], options: [], summary: 'list incoming contact requests' },
  { name: 'accept', args: ['ID'], options: ['name'], summary: 'accept a contact request' },
  { name: 'decline', args: ['ID'], options: [], summary: 'decline a contact request' },
  { name: 'block', args: ['CONTACT'], options: [], summary: 'block a contact or a requester for good' },
  { name: 'remove', args: ['CONTACT'], options: [], summary: 'remove a contact and delete our history (erased from disk too)' },
  {
    name: 'delete',
    args: ['CONTACT', 'MESSAGE_ID'],
    options: ['for-everyone'],
    summary: 'delete one message on this device (ids: the output of send, or history --json); erased from disk too; --for-everyone: one of mine, on both sides'
  },
  { name: 'clear', args: ['CONTACT'], options: [], summary: 'delete every message with a contact on this device; the contact stays' },
  {
    name: 'send',
    args: ['CONTACT', 'TEXT'],
    options: ['client-id'],
    summary: 'send TEXT (or stdin with -) to a contact or a group; a retry with the same --client-id ID is sent once (see exit status 4)'
  },
  { name: 'reply', args: ['CONTACT', 'MESSAGE', 'TEXT'], options: ['client-id'], summary: 'send TEXT quoting MESSAGE (an id from history --json)' },
  { name: 'edit', args: ['CONTACT', 'MESSAGE', 'TEXT'], options: [], summary: 'replace the text of one of my messages (or stdin with -)' },
  { name: 'react', args: ['CONTACT', 'MESSAGE', 'EMOJI'], options: [], summary: "react to MESSAGE with one EMOJI ('' takes it back)" },
  {
    name: 'disappear',
    args: ['CONTACT', 'AFTER'],
    options: [],
    summary: `disappearing messages with a contact, on both sides: AFTER is ${Object.keys(DISAPPEAR_AFTER).join('|')}`
  },
  { name: 'history', args: ['CONTACT'], options: ['limit'], summary: 'show the latest messages with a contact or in a group' },
  {
    name: 'search',
    args: ['TEXT'],
    options: ['contact', 'limit'],
    summary: 'find messages holding every word of TEXT (or words starting so), newest first, in all conversations or one'
  },
  { name: 'send-file', args: ['CONTACT', 'PATH'], options: ['name'], summary: 'send a file (an image goes without its metadata, with a preview)' },
  { name: 'files', args: ['CONTACT'], options: [], summary: 'list the files exchanged with a contact, with their state' },
  { name: 'get-file', args: ['CONTACT', 'MESSAGE'], options: ['to'], summary: 'download a file, check it and save it into DIR (default: here)' },
  {
    name: 'forward-file',
    args: ['CONTACT', 'MESSAGE', 'TO'],
    options: [],
    summary: 'send the file of MESSAGE (with CONTACT) to the contact TO, its sealed chunks copied (downloaded first if need be)'
  },
  { name: 'status', args: [], options: [], summary: 'network mode, peers connected, contacts online, LAN discovery' },
  {
    name: 'set',
    args: ['SETTING', 'VALUE'],
    options: [],
    summary:
      'change a stored setting: lan on|off (LAN discovery; on by default), hidden on|off (my inbox off the DHT; only contacts reach me), ' +
      'auto-download SIZE|off (images and voice notes up to SIZE, e.g. 8M, download as they arrive)'
  },
  {
    name: 'run',
    args: [],
    options: ['since'],
    summary: 'stay online; print one JSON line per event (message events carry their number, seq); --since N first prints every message event after N'
  },
  { name: 'serve', args: [], options: ['port', 'since'], summary: 'run, plus the web shell on 127.0.0.1; prints its URL (good once, within a minute)' },
  { name: 'web-url', args: [], options: [], summary: 'print a new single-use URL of the running cairn serve, for another browser or tab' },
  {
    name: 'home',
    args: ['ACTION', 'ARG?'],
    options: ['quota', 'expire-days'],
    summary: 'home node — on the box: init, run, invite, status, unlink PROFILE; on a device: pair CODE, status, unlink'
  },
  {
    name: 'group',
    args: ['ACTION', 'GROUP', 'ARG...'],
    options: [],
    summary: 'create NAME [CONTACT…] | add GROUP CONTACT… | remove GROUP CONTACT | leave GROUP | rename GROUP NAME | members GROUP'
  },
  { name: 'groups', args: [], options: [], summary: 'list my groups with members and unread counts' },
  { name: 'help', args: ['COMMAND?'], options: [], summary: 'show help for a command' }
]

export interface GlobalOptions {
  profile?: string
  bootstrap?: string
  noLan: boolean
  passphraseFile?: string
  json: boolean
}

export type ParsedCommandLine =
  | { kind: 'help'; command?: CommandSpec }
  | { kind: 'version' }
  | {
      kind: 'command'
      command: CommandSpec
      globals: GlobalOptions
      options: Partial<Record<CommandOption, string>>
      positionals: string[]
    }

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name)
}

/** Parses `cairn [global options] COMMAND [args] [options]`; every mistake is a UsageError. */
export function parseCommandLine(argv: string[]): ParsedCommandLine {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS },
      allowPositionals: true,
      strict: true
    })
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const { values, positionals } = parsed
  const [name, ...rest] = positionals

  if (values.version) return { kind: 'version' }
  if (name === undefined) {
    if (values.help) return { kind: 'help' }
    throw new UsageError('no command given (see cairn --help)')
  }
  const command = findCommand(name)
  if (!command) throw new UsageError(`unknown command "${name}" (see cairn --help)`)
  if (command.name === 'help') {
    const topic = rest[0] === undefined ? undefined : findCommand(rest[0])
    if (rest[0] !== undefined && !topic) throw new UsageError(`unknown command "${rest[0]}" (see cairn --help)`)
    if (rest.length > 1) throw new UsageError('help takes at most one command name')
    return { kind: 'help', command: topic }
  }
  if (values.help) return { kind: 'help', command }

  const options: Partial<Record<CommandOption, string>> = {}
  for (const key of Object.keys(COMMAND_OPTIONS) as CommandOption[]) {
    const value = values[key]
    if (value === undefined) continue
    if (!command.options.includes(key)) throw new UsageError(`${command.name} does not take --${key}`)
    options[key] = String(value)
  }

  for (const key of command.required ?? []) {
    if (options[key] === undefined) throw new UsageError(`${command.name}: --${key} ${METAVAR[key]} is required (usage: ${usageLine(command)})`)
  }

  // A last argument ending in '...' takes any number of words, none included.
  const variadic = command.args.at(-1)?.endsWith('...') ?? false
  const required = command.args.filter((a) => !a.endsWith('?') && !a.endsWith('...'))
  if (rest.length < required.length) {
    throw new UsageError(`${command.name}: missing ${required.slice(rest.length).join(' ')} (usage: ${usageLine(command)})`)
  }
  if (rest.length > command.args.length && !variadic) {
    const hint = ['send', 'reply', 'edit'].includes(command.name) ? '; quote the text' : ''
    throw new UsageError(`${command.name}: too many arguments${hint} (usage: ${usageLine(command)})`)
  }

  return {
    kind: 'command',
    command,
    globals: {
      profile: values.profile,
      bootstrap: values.bootstrap,
      noLan: values['no-lan'] ?? false,
      passphraseFile: values['passphrase-file'],
      json: values.json ?? false
    },
    options,
    positionals: rest
  }
}

export function usageLine(command: CommandSpec): string {
  const args = command.args.map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : a.endsWith('...') ? `[${a.slice(0, -3)}…]` : a))
  const opts = command.options.map((o) => {
    const flag = METAVAR[o] ? `--${o} ${METAVAR[o]}` : `--${o}`
    return command.required?.includes(o) ? flag : `[${flag}]`
  })
  return ['cairn', command.name, ...args, ...opts].join(' ')
}

/** A positive integer option within bounds, or a UsageError naming the option. */
export function integerOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`)
  }
  return value
}
