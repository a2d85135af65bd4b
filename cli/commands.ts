import { readFile, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { text } from 'node:stream/consumers'
import { CairnError } from '../core/api/errors'
import type { Settings } from '../core/api/types'
import { AUTO_DOWNLOAD_MAX, BACKUP_MAX, HISTORY_LIMIT_MAX, INVITE_PREFIX, NAME_MAX, SEARCH_LIMIT_MAX, validateArgs } from '../core/api/validate'
import { parseContactId } from '../core/host/contact-id'
import { DISAPPEAR_AFTER, integerOption, type ParsedCommandLine } from './args'
import type { CliContext } from './context'
import { OutcomeUnknown, UsageError } from './exit-codes'
import { formatContacts, formatFiles, formatHistory, formatRequests, formatSearch, formatStatus, printable } from './format'
import { readBackupPassphrase, readPassphrase } from './passphrase'
import { resolveContact } from './resolve-contact'
import { groupCommand, groupsCommand } from './group-command'
import { resolveTarget } from './resolve-target'
import { formatGroupHistory } from './format'
import { openSession, type ApiSession } from './session'

type Invocation = Extract<ParsedCommandLine, { kind: 'command' }>

interface Output {
  /** Printed as-is without --json. */
  text?: string
  /** Printed as one JSON document with --json. */
  data?: unknown
  /** A note for the person, on stderr, whichever the format. */
  note?: string
}

const OFFLINE_CHANGE = 'no node is running on this profile; what goes to the contact leaves when `cairn run` next runs'

/** Runs one of the short-lived commands (everything but run and serve) and prints its result. */
export async function runOneShot(ctx: CliContext, call: Invocation): Promise<void> {
  // Arguments are checked before the profile is opened, so a typo costs no passphrase prompt.
  const prepared = await prepare(ctx, call)
  const reported = SENDS.has(call.command.name) ? sayIfStored : <T>(step: () => Promise<T>) => step()
  const session = await reported(() => openSession(ctx, !['init', 'restore', 'status'].includes(call.command.name)))
  let out: Output
  try {
    out = await reported(() => prepared(session))
  } finally {
    await session.close()
  }
  if (ctx.globals.json) {
    if (out.data !== undefined) ctx.stdout.write(JSON.stringify(out.data) + '\n')
  } else if (out.text !== undefined) {
    ctx.stdout.write(out.text)
  }
  if (out.note !== undefined) ctx.stderr.write(`cairn: ${out.note}\n`)
}

/** Commands that store a message: a failure says whether it was stored. */
const SENDS = new Set(['send', 'reply'])

/**
 * Any CairnError but 'internal' is the API refusing before anything was written (every write is one
 * atomic step). 'internal' is a connection to the node that closed mid-call, or a failure inside
 * the node: the write may have happened.
 */
async function sayIfStored<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (err) {
    const e = CairnError.from(err)
    if (e.code !== 'internal') throw new CairnError(e.code, `${e.message}; the message was not stored`)
    throw new OutcomeUnknown(`${e.message}; the message may have been stored: send it again with the same --client-id to have it stored and sent once`)
  }
}

async function prepare(ctx: CliContext, call: Invocation): Promise<(s: ApiSession) => Promise<Output>> {
  const [first, second, third] = call.positionals
  const name = call.options.name

  switch (call.command.name) {
    case 'init':
      return async ({ api, routed }) => {
        const { profile } = await api.state()
        if (routed || profile !== 'none') {
          throw new CairnError('profile-exists', `${ctx.hostOptions.profileDir} already holds an identity; init never overwrites one`)
        }
        const passphrase = await readPassphrase(ctx.passphrase, true)
        // A headless node is best known by its machine's name until someone picks another.
        const me = await api.create(name ?? hostname().slice(0, NAME_MAX), passphrase)
        return { text: `${me.id}\n`, data: me, note: `created an identity in ${ctx.hostOptions.profileDir}` }
      }
    case 'restore': {
      const backup = await readBackupFile(call.options['backup-file'] ?? '')
      return async ({ api, routed }) => {
        const { profile } = await api.state()
        if (routed || profile !== 'none') {
          throw new CairnError('profile-exists', `${ctx.hostOptions.profileDir} already holds an identity; restore never overwrites one`)
        }
        const backupPassphrase = await readBackupPassphrase(ctx.passphrase)
        const passphrase = await readPassphrase(ctx.passphrase, true)
        const me = await api.restore(backup, backupPassphrase, name ?? hostname().slice(0, NAME_MAX), passphrase)
        return {
          text: `${me.id}\n`,
          data: me,
          note: `restored the identity in ${ctx.hostOptions.profileDir}; contacts are not in a backup: add them again`
        }
      }
    }
    case 'export': {
      const file = call.options['backup-file'] ?? ''
      await refuseExisting(file)
      return async ({ api }) => {
        // Proven by the core even when a running node (already unlocked) answers.
        const passphrase = await readPassphrase(ctx.passphrase)
        const backup = await api.exportIdentity(passphrase, await readBackupPassphrase(ctx.passphrase, true))
        try {
          await writeFile(file, `${backup}\n`, { flag: 'wx', mode: 0o600 })
        } catch (err) {
          throw new CairnError('invalid-argument', `cannot write --backup-file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
        }
        return { data: { file }, note: `wrote the identity backup to ${file}; keep it and its passphrase apart` }
      }
    }
    case 'id':
      return async ({ api }) => {
        const me = await api.profile()
        return { text: `${me.id}\n`, data: me }
      }
    case 'add': {
      if (first.trim().startsWith(INVITE_PREFIX)) {
        const code = first.trim()
        return async ({ api }) => {
          const contact = await api.acceptInvite(code, name ?? 'invited')
          return { text: `added ${printable(contact.name)} ${contact.id} (request sent through the invite)\n`, data: contact }
        }
      }
      const id = await parseContactId(first)
      return async ({ api }) => {
        // Until they are named, the start of their ID tells contacts apart.
        const contact = await api.addContact(id, name ?? id.slice(0, 8))
        return { text: `added ${printable(contact.name)} ${contact.id}\n`, data: contact }
      }
    }
    case 'contacts':
      return async ({ api }) => {
        const contacts = await api.contacts()
        return { text: formatContacts(contacts), data: contacts }
      }
    case 'requests':
      return async ({ api }) => {
        const requests = await api.requests()
        return { text: formatRequests(requests), data: requests }
      }
    case 'accept': {
      const id = await parseContactId(first)
      return async ({ api }) => {
        const contact = await api.acceptRequest(id, name)
        return { text: `accepted ${printable(contact.name)} ${contact.id}\n`, data: contact }
      }
    }
    case 'decline': {
      const id = await parseContactId(first)
      return async ({ api }) => {
        await api.declineRequest(id)
        return {}
      }
    }
    case 'block':
      return async ({ api }) => {
        const requests = await api.requests()
        const pending = requests.find((r) => r.id === first.trim())
        if (pending) await api.blockRequest(pending.id)
        else await api.blockContact(await resolveContact(api, first))
        return {}
      }
    case 'remove':
      return async ({ api }) => {
        const contact = await resolveContact(api, first)
        await api.removeContact(await readPassphrase(ctx.passphrase), contact)
        return {}
      }
    case 'delete': {
      const forEveryone = call.options['for-everyone'] === 'true'
      return async ({ api, routed }) => {
        const contact = await resolveContact(api, first)
        await (forEveryone ? api.deleteForEveryone(contact, second) : api.deleteMessage(contact, second))
        return { note: forEveryone && !routed ? OFFLINE_CHANGE : undefined }
      }
    }
    case 'disappear': {
      const seconds = DISAPPEAR_AFTER[second.trim().toLowerCase()]
      if (seconds === undefined) throw new UsageError(`disappear: AFTER is one of ${Object.keys(DISAPPEAR_AFTER).join(', ')}`)
      return async ({ api, routed }) => {
        const contact = await api.setDisappearing(await resolveContact(api, first), seconds)
        const text = `disappearing messages with ${printable(contact.name)}: ${second.trim().toLowerCase()}\n`
        return { text, data: contact, note: routed ? undefined : OFFLINE_CHANGE }
      }
    }
    case 'clear':
      return async ({ api }) => {
        const contact = await resolveContact(api, first)
        await api.clearConversation(await readPassphrase(ctx.passphrase), contact)
        return {}
      }
    case 'send': {
      const body = second === '-' ? await readStdin(ctx) : second
      if (body.trim() === '') throw new UsageError('send: the message text is empty')
      const clientId = clientIdOption(call)
      return async ({ api, routed }) => {
        const target = await resolveTarget(api, first)
        const message = target.kind === 'group' ? await api.sendToGroup(target.id, body) : await api.send(target.id, body, undefined, clientId)
        return {
          text: `${message.id}\n`,
          data: message,
          note: routed ? undefined : 'no node is running on this profile; the message is stored and goes out when `cairn run` next runs'
        }
      }
    }
    case 'reply': {
      const body = third === '-' ? await readStdin(ctx) : third
      if (body.trim() === '') throw new UsageError('reply: the message text is empty')
      const clientId = clientIdOption(call)
      return async ({ api }) => {
        const message = await api.send(await resolveContact(api, first), body, second, clientId)
        return { text: `${message.id}\n`, data: message }
      }
    }
    case 'edit': {
      const body = third === '-' ? await readStdin(ctx) : third
      if (body.trim() === '') throw new UsageError('edit: the new text is empty')
      return async ({ api }) => {
        const message = await api.edit(await resolveContact(api, first), second, body)
        return { text: `${message.id}\n`, data: message }
      }
    }
    case 'react':
      return async ({ api }) => {
        const message = await api.react(await resolveContact(api, first), second, third)
        return { text: `${message.id}\n`, data: message }
      }
    case 'history': {
      const limit = integerOption('limit', call.options.limit, 1, HISTORY_LIMIT_MAX)
      return async ({ api }) => {
        const target = await resolveTarget(api, first)
        const query = limit === undefined ? undefined : { limit }
        if (target.kind === 'group') {
          const page = await api.groupHistory(target.id, query)
          return { text: formatGroupHistory(page), data: page }
        }
        const page = await api.history(target.id, query)
        return { text: formatHistory(page), data: page }
      }
    }
    case 'search': {
      const limit = integerOption('limit', call.options.limit, 1, SEARCH_LIMIT_MAX)
      const contact = call.options.contact
      return async ({ api }) => {
        const query = { ...(contact === undefined ? {} : { contact: await resolveContact(api, contact) }), ...(limit === undefined ? {} : { limit }) }
        const hits = await api.search(first, query)
        return { text: formatSearch(hits, await api.contacts()), data: hits }
      }
    }
    case 'invite':
      return async ({ api, routed }) => {
        // The invite's inbox lives in the node that made it: a one-shot would close it on exit.
        if (!routed) throw new CairnError('invalid-argument', 'an invite needs a running node: start `cairn run` or `cairn serve` first')
        const invite = await api.createInvite()
        return { text: `${invite.code}\n`, data: invite, note: `valid for one request until ${new Date(invite.expiresAt).toISOString()}` }
      }
    case 'set': {
      const patch = settingPatch(first, second)
      return async ({ api, routed }) => {
        const settings = await api.updateSettings(patch)
        if (patch.hidden !== undefined) return { text: `hidden: ${settings.hidden ? 'on' : 'off'}\n`, data: settings }
        if (patch.autoDownloadBytes !== undefined) return { text: `auto-download: up to ${settings.autoDownloadBytes} bytes\n`, data: settings }
        const when = routed ? 'now' : 'from the next cairn run'
        return { text: `LAN discovery: ${settings.lanDiscovery ? 'on' : 'off'} (${when})\n`, data: settings }
      }
    }
    case 'send-file': {
      const path = resolve(second)
      return async ({ api, routed }) => {
        const message = await api.sendFile(await resolveContact(api, first), path, name)
        return {
          text: `${message.id}\n`,
          data: message,
          note: routed ? undefined : 'no node is running on this profile; the file is stored and goes out when `cairn run` next runs'
        }
      }
    }
    case 'files':
      return async ({ api }) => {
        const page = await api.history(await resolveContact(api, first), { limit: HISTORY_LIMIT_MAX })
        const files = page.messages.filter((m) => m.file)
        return { text: formatFiles(files), data: files.map((m) => ({ message: m.id, direction: m.direction, sentAt: m.sentAt, ...m.file })) }
      }
    case 'forward-file':
      return async ({ api }) => {
        const message = await api.forwardFile(await resolveContact(api, first), second, await resolveContact(api, third))
        return { text: `${message.id}\n`, data: message }
      }
    case 'get-file': {
      const folder = resolve(call.options.to ?? '.')
      return async ({ api }) => {
        const contact = await resolveContact(api, first)
        await api.downloadFile(contact, second)
        const path = await api.saveFile(contact, second, folder)
        return { text: `${path}\n`, data: { path } }
      }
    }
    case 'status':
      return async ({ api, routed }) => {
        if (!routed) {
          // Without a running node the profile is not online, whatever a momentary open would report.
          return { text: formatStatus(null), data: { running: false, mode: 'offline', peers: 0, contactsOnline: 0 } }
        }
        const status = await api.network()
        return { text: formatStatus(status), data: { ...status, running: true } }
      }
    case 'group':
      return groupCommand(first, second, call.positionals.slice(2))
    case 'groups':
      return groupsCommand()
    default:
      throw new UsageError(`${call.command.name} is not a one-shot command`)
  }
}

/** --client-id, checked as the API will check it, before a passphrase or a node is asked for. */
function clientIdOption(call: Invocation): string | undefined {
  const id = call.options['client-id']
  if (id === undefined) return undefined
  try {
    validateArgs('send', ['contact', 'text', undefined, id])
  } catch (err) {
    throw new UsageError(`--client-id: ${CairnError.from(err).message.replace(/^send: clientId /, '')}`)
  }
  return id
}

/** The settings `cairn set` changes, from their command-line words. */
const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }

/** "off", or a whole number of bytes with an optional K, M or G (binary multiples). */
function parseSize(value: string): number {
  if (value === 'off') return 0
  const m = /^(\d{1,10})([KMG]?)$/i.exec(value)
  const bytes = m ? Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()] : NaN
  if (!Number.isSafeInteger(bytes) || bytes > AUTO_DOWNLOAD_MAX) {
    throw new UsageError(`auto-download takes off or a size up to 2G such as 500K or 8M, not ${JSON.stringify(value)}`)
  }
  return bytes
}

function settingPatch(setting: string, value: string): Partial<Settings> {
  if (setting === 'auto-download') return { autoDownloadBytes: parseSize(value) }
  if (setting !== 'hidden' && setting !== 'lan') throw new UsageError(`unknown setting ${JSON.stringify(setting)}; the settings are: lan, hidden, auto-download`)
  if (value !== 'on' && value !== 'off') throw new UsageError(`${setting} takes on or off, not ${JSON.stringify(value)}`)
  return setting === 'lan' ? { lanDiscovery: value === 'on' } : { hidden: value === 'on' }
}

async function readBackupFile(file: string): Promise<string> {
  try {
    const info = await stat(file)
    if (!info.isFile()) throw new CairnError('invalid-argument', `--backup-file ${file} is not a regular file`)
    if (info.size > BACKUP_MAX) throw new CairnError('invalid-argument', `--backup-file ${file} is too large for a backup (${info.size} bytes)`)
    return await readFile(file, 'utf8')
  } catch (err) {
    if (err instanceof CairnError) throw err
    throw new CairnError('invalid-argument', `cannot read --backup-file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
}

/** A backup is never written over an existing file: that file may be the only other backup. */
async function refuseExisting(file: string): Promise<void> {
  const exists = await stat(file).then(
    () => true,
    () => false
  )
  if (exists) throw new UsageError(`--backup-file ${file} already exists; export never overwrites a file`)
}

async function readStdin(ctx: CliContext): Promise<string> {
  const body = await text(ctx.stdin as NodeJS.ReadableStream)
  // A trailing newline comes from `echo` or a file, not from the sender's intent.
  return body.replace(/\r?\n$/, '')
}
