// Argument checking for CairnApi calls arriving from an untrusted transport (a web page, an IPC
// sender, a control socket). The core may assume that whatever passed here has the declared shape.
import { DISAPPEARING_SECONDS, MAX_CLIENT_ID_CHARS, MAX_FILE_BYTES_DEFAULT, MAX_FILE_READ_BYTES, MAX_GROUP_MEMBERS, MAX_NAME_CHARS, MAX_TEXT_BYTES, MAX_UPLOAD_PIECE_BYTES } from '../protocol/limits'
import { CairnError } from './errors'
import type { ApiMethod, VoiceNoteMediaType } from './types'

export const NAME_MAX = MAX_NAME_CHARS
export const TEXT_MAX_BYTES = MAX_TEXT_BYTES
export const PASSPHRASE_MAX = 1024
/** Well above the human form of a 32-byte key plus checksum; the core checks the form itself. */
export const CONTACT_ID_MAX = 128
export const CURSOR_MAX = 256
export const INVITE_CODE_MAX = 256
/** How an invite code starts, so a shell can tell one from a contact ID. */
export { INVITE_PREFIX } from '../protocol/prefixes'
/** The disappearing-message choices setDisappearing takes, seconds (0: off). */
export const DISAPPEARING_CHOICES = DISAPPEARING_SECONDS
/** Well above an exportIdentity() text (a few hundred characters); the core checks the form itself. */
export const BACKUP_MAX = 16 * 1024
export const HISTORY_LIMIT_MAX = 500
/** A search is what someone types into a box: longer text is not a query but a flood. */
export const SEARCH_TEXT_MAX = 256
export const SEARCH_LIMIT_MAX = 200
export const CALL_ID_CHARS = 32
/** Base64 of the largest frame the core will send (255 datagram fragments of 1100 bytes). */
export const MEDIA_DATA_MAX = Math.ceil((255 * 1100) / 3) * 4
/** Bytes of one uploadPiece() piece and of one readFile() answer, before base64. */
export const UPLOAD_PIECE_MAX = MAX_UPLOAD_PIECE_BYTES
export const FILE_READ_MAX = MAX_FILE_READ_BYTES
/** The largest auto-download size a user can set: the largest file a node accepts. */
export const AUTO_DOWNLOAD_MAX = MAX_FILE_BYTES_DEFAULT
/**
 * What a recorded voice note is declared as (Opus in WebM, as Chromium records it, or in Ogg):
 * audio, so it downloads by itself like an image, and a type of its own, so it is shown as a voice
 * note with its waveform rather than as an audio file.
 */
export const VOICE_NOTE_MEDIA_TYPES: readonly VoiceNoteMediaType[] = ['audio/vnd.cairn.voice+webm', 'audio/vnd.cairn.voice+ogg']

type Check = (value: unknown, label: string) => void

interface ArgSpec {
  label: string
  check: Check
  optional?: boolean
}

const utf8 = new TextEncoder()

function fail(label: string, what: string): never {
  throw new CairnError('invalid-argument', `${label} ${what}`)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function string(min: number, max: number, unit = 'characters'): Check {
  return (value, label) => {
    if (typeof value !== 'string') fail(label, `must be a string, got ${describe(value)}`)
    if (value.length < min) fail(label, min === 1 ? 'must not be empty' : `must be at least ${min} ${unit}`)
    if (value.length > max) fail(label, `must be at most ${max} ${unit}`)
  }
}

const name: Check = (value, label) => {
  string(1, NAME_MAX)(value, label)
  if ((value as string).trim() === '') fail(label, 'must not be blank')
}

const contactId: Check = string(1, CONTACT_ID_MAX)

const disappearing: Check = (value, label) => {
  if (typeof value !== 'number' || !DISAPPEARING_SECONDS.includes(value)) fail(label, `must be one of ${DISAPPEARING_SECONDS.join(', ')} (seconds)`)
}
const passphrase: Check = string(1, PASSPHRASE_MAX)
/** A pairing code is ~108 characters of z-base-32; the core checks its form and checksum. */
const PAIRING_CODE_MAX = 256

const text: Check = (value, label) => {
  if (typeof value !== 'string') fail(label, `must be a string, got ${describe(value)}`)
  if (value.trim() === '') fail(label, 'must not be empty')
  // Cheap bound before encoding: UTF-8 never takes fewer bytes than UTF-16 code units.
  if (value.length > TEXT_MAX_BYTES || utf8.encode(value).byteLength > TEXT_MAX_BYTES) {
    fail(label, `must be at most ${TEXT_MAX_BYTES} bytes of UTF-8`)
  }
}

const boolean: Check = (value, label) => {
  if (typeof value !== 'boolean') fail(label, `must be true or false, got ${describe(value)}`)
}

function object(fields: Record<string, Check>): Check {
  return (value, label) => {
    if (!isPlainObject(value)) fail(label, `must be an object, got ${describe(value)}`)
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(fields, key)) fail(label, `has an unknown field "${key.slice(0, 32)}"`)
      if (value[key] !== undefined) fields[key](value[key], `${label}.${key}`)
    }
  }
}

const historyLimit: Check = (value, label) => {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(label, `must be an integer, got ${describe(value)}`)
  if (value < 1 || value > HISTORY_LIMIT_MAX) fail(label, `must be between 1 and ${HISTORY_LIMIT_MAX}`)
}

/** A whole number from 0, up to max when there is one. */
function count(max?: number): Check {
  return (value, label) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(label, `must be a whole number, got ${describe(value)}`)
    if (max === undefined && value < 0) fail(label, 'must be a non-negative integer')
    if (max !== undefined && (value < 0 || value > max)) fail(label, `must be between 0 and ${max}`)
  }
}

function base64(min: number, max: number): Check {
  return (value, label) => {
    string(min, max)(value, label)
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value as string)) fail(label, 'must be base64')
  }
}

const base64Piece = base64(0, Math.ceil(MAX_UPLOAD_PIECE_BYTES / 3) * 4)

/** Message ids and upload ids are short tokens; the core checks their form. */
const token: Check = string(1, 64)
/** A path on this node's disk, chosen by its user; the core checks what it names. */
const path: Check = string(1, 4096)
/** A file name for the contact to see; the core refuses separators, control and bidi characters. */
const fileName: Check = string(1, 255)

/** A caller's id for a send: printable ASCII without spaces, so it survives a shell and a log line. */
const clientId: Check = (value, label) => {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value) || value.length > MAX_CLIENT_ID_CHARS) {
    fail(label, `must be 1 to ${MAX_CLIENT_ID_CHARS} printable ASCII characters without spaces`)
  }
}
const searchLimit: Check = (value, label) => {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(label, `must be an integer, got ${describe(value)}`)
  if (value < 1 || value > SEARCH_LIMIT_MAX) fail(label, `must be between 1 and ${SEARCH_LIMIT_MAX}`)
}
const searchQuery = object({ contact: contactId, limit: searchLimit })

const historyQuery = object({ limit: historyLimit, before: string(1, CURSOR_MAX) })
const settingsPatch = object({ name, lanDiscovery: boolean, hidden: boolean, autoDownloadBytes: count(AUTO_DOWNLOAD_MAX) })

const arg = (label: string, check: Check, optional = false): ArgSpec => ({ label, check, optional })
const contact = arg('contact', contactId)
const id = arg('id', contactId)

const callId: Check = (value, label) => {
  if (typeof value !== 'string' || !/^[0-9a-f]{32}$/.test(value)) fail(label, `must be ${CALL_ID_CHARS} lowercase hex characters`)
}

function oneOf(values: readonly string[]): Check {
  return (value, label) => {
    if (typeof value !== 'string' || !values.includes(value)) fail(label, `must be one of ${values.join(', ')}`)
  }
}

const mediaKind = oneOf(['audio', 'video'])

function required(fields: Record<string, Check>): Check {
  const shape = object(fields)
  return (value, label) => {
    shape(value, label)
    for (const key of Object.keys(fields)) if ((value as Record<string, unknown>)[key] === undefined) fail(`${label}.${key}`, 'is missing')
  }
}

const mediaFrame = required({ stream: mediaKind, keyframe: boolean, seq: count(), timestampUs: count(), data: base64(1, MEDIA_DATA_MAX) })
const call = arg('call', callId)

const groupIdCheck: Check = (value, label) => {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) fail(label, 'must be a group id (64 lowercase hex characters)')
}
/** A group holds at most MAX_GROUP_MEMBERS; a list of contact ids to invite is bounded by it. */
const contactList: Check = (value, label) => {
  if (!Array.isArray(value)) fail(label, `must be an array, got ${describe(value)}`)
  if (value.length > MAX_GROUP_MEMBERS) fail(label, `must hold at most ${MAX_GROUP_MEMBERS} contacts`)
  value.forEach((v, i) => contactId(v, `${label}[${i}]`))
}
const group = arg('group', groupIdCheck)

const SPECS: Record<ApiMethod, ArgSpec[]> = {
  state: [],
  create: [arg('name', name), arg('passphrase', passphrase)],
  restore: [arg('backup', string(1, BACKUP_MAX)), arg('backupPassphrase', passphrase), arg('name', name), arg('passphrase', passphrase)],
  unlock: [arg('passphrase', passphrase)],
  lock: [],
  profile: [],
  setName: [arg('name', name)],
  safetyNumber: [contact],
  contacts: [],
  addContact: [id, arg('name', name)],
  createInvite: [],
  acceptInvite: [arg('code', string(1, INVITE_CODE_MAX)), arg('name', name)],
  renameContact: [id, arg('name', name)],
  removeContact: [arg('passphrase', passphrase), id],
  blockContact: [id],
  unblockContact: [id],
  setVerified: [id, arg('verified', boolean)],
  requests: [],
  acceptRequest: [id, arg('name', name, true)],
  declineRequest: [id],
  blockRequest: [id],
  send: [contact, arg('text', text), arg('replyTo', string(1, CURSOR_MAX), true), arg('clientId', clientId, true)],
  react: [contact, arg('message', string(1, CURSOR_MAX)), arg('emoji', string(0, 32))],
  edit: [contact, arg('message', string(1, CURSOR_MAX)), arg('text', text)],
  history: [contact, arg('query', historyQuery, true)],
  replayMessages: [arg('since', count()), arg('limit', historyLimit, true)],
  search: [arg('text', string(1, SEARCH_TEXT_MAX)), arg('query', searchQuery, true)],
  markRead: [contact],
  deleteMessage: [contact, arg('messageId', token)],
  clearConversation: [arg('passphrase', passphrase), contact],
  deleteForEveryone: [contact, arg('messageId', token)],
  setDisappearing: [contact, arg('seconds', disappearing)],
  setTyping: [contact, arg('typing', boolean)],
  sendFile: [contact, arg('path', path), arg('name', fileName, true)],
  beginUpload: [arg('size', count(MAX_FILE_BYTES_DEFAULT))],
  uploadPiece: [arg('upload', token), arg('piece', base64Piece)],
  sendUpload: [contact, arg('upload', token), arg('name', fileName), arg('mediaType', oneOf(VOICE_NOTE_MEDIA_TYPES), true)],
  downloadFile: [contact, arg('message', token)],
  cancelDownload: [contact, arg('message', token)],
  saveFile: [contact, arg('message', token), arg('folder', path)],
  verifyFile: [contact, arg('message', token)],
  readFile: [contact, arg('message', token), arg('start', count(Number.MAX_SAFE_INTEGER)), arg('length', count(MAX_FILE_READ_BYTES))],
  forwardFile: [contact, arg('message', token), arg('to', contactId)],
  fileInfo: [contact, arg('message', token)],
  network: [],
  settings: [],
  updateSettings: [arg('patch', settingsPatch)],
  changePassphrase: [arg('current', passphrase), arg('next', passphrase)],
  exportIdentity: [arg('passphrase', passphrase), arg('backupPassphrase', passphrase)],
  startCall: [contact, arg('video', boolean)],
  acceptCall: [call, arg('video', boolean)],
  declineCall: [call],
  hangup: [call],
  sendMedia: [call, arg('frame', mediaFrame)],
  requestKeyframe: [call, arg('stream', mediaKind)],
  homeNode: [],
  linkHomeNode: [arg('code', string(1, PAIRING_CODE_MAX))],
  unlinkHomeNode: [],
  groups: [],
  createGroup: [arg('name', name), arg('members', contactList)],
  inviteToGroup: [group, arg('members', contactList)],
  removeFromGroup: [group, arg('member', contactId)],
  leaveGroup: [group],
  renameGroup: [group, arg('name', name)],
  sendToGroup: [group, arg('text', text)],
  groupHistory: [group, arg('query', historyQuery, true)],
  markGroupRead: [group],
  groupReceipts: [group, arg('message', string(1, CURSOR_MAX))]
}

/** Every method of the API, in declaration order: what a client proxy exposes and a server accepts. */
export const API_METHODS = Object.keys(SPECS) as ApiMethod[]

export function isApiMethod(method: unknown): method is ApiMethod {
  return typeof method === 'string' && Object.hasOwn(SPECS, method)
}

/**
 * Checks a method name and its arguments against the API. Optional trailing arguments may be
 * omitted or undefined; nothing beyond the declared arity is accepted. An optional argument before
 * a given one may be null, which is how JSON carries undefined there; it is passed on as undefined.
 */
export function validateArgs(method: string, args: unknown): { method: ApiMethod; args: unknown[] } {
  const call = validateCall(method, args)
  const specs = SPECS[call.method]
  const required = specs.filter((s) => !s.optional).length
  if (call.args.length < required || call.args.length > specs.length) {
    const expected = required === specs.length ? `${required}` : `${required} to ${specs.length}`
    throw new CairnError('invalid-argument', `${method} takes ${expected} argument(s), got ${call.args.length}`)
  }
  specs.forEach((spec, i) => {
    const value = call.args[i]
    if (value === null && spec.optional) call.args[i] = undefined
    if ((value === undefined || value === null) && spec.optional) return
    if (value === undefined) fail(`${method}: ${spec.label}`, 'is missing')
    spec.check(value, `${method}: ${spec.label}`)
  })
  return call
}

/** Checks only that a call names an API method and carries an argument array; validateArgs checks the rest. */
export function validateCall(method: string, args: unknown): { method: ApiMethod; args: unknown[] } {
  if (!isApiMethod(method)) {
    throw new CairnError('invalid-argument', `unknown method "${String(method).slice(0, 64)}"`)
  }
  if (!Array.isArray(args)) throw new CairnError('invalid-argument', `${method}: arguments must be an array`)
  return { method, args: [...args] }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}
