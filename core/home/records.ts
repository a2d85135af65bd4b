// What the box writes to disk, one versioned record per value in its Hyperbee (keys in ./box-db.ts).
// Nothing here names a person: a profile is a random id, a device is the stream key of a link key
// derived for this box alone, a guest is a contact's pair key; logs are known by their core keys.
import { Reader, Writer } from './codec'
import { HomeError } from './errors'
import { KEY_BYTES, MAX_BUNDLE_BYTES, MAX_ONE_TIME_PREKEYS, MAX_ONE_TIME_PREKEY_BYTES, MAX_GRANT_LOGS, MAX_SEALED_BYTES } from './wire'
import { SECRET_BYTES } from './pairing-code'

export const RECORD_VERSION = 1
const MAX_RECORD_BYTES = 64 * 1024

export interface ProfileRecord {
  device: Buffer
  quota: number
  expireDays: number
  createdAt: number
  nextSeq: number
}

export interface CodeRecord {
  secret: Buffer
  expiresAt: number
  quota: number
  expireDays: number
}

export interface LogRecord {
  addedAt: number
  ackedUpTo: number
  ackedAt: number
  clearedUpTo: number
  clearedBytes: number
  /** Blocks below this are on the box's disk (or were, until expiry cleared them). */
  fetchedUpTo: number
  fetchedBytes: number
}

export interface GrantRecord {
  logs: Buffer[]
}

export interface PrekeysRecord {
  inbox: Buffer
  bundle: Buffer
  oneTime: Buffer[]
}

export interface RequestRecord {
  receivedAt: number
  sealed: Buffer
}

export interface RevokedRecord {
  at: number
}

interface Codec<T> {
  write(w: Writer, v: T): void
  read(r: Reader): T
}

interface RecordTypes {
  profile: ProfileRecord
  code: CodeRecord
  log: LogRecord
  grant: GrantRecord
  prekeys: PrekeysRecord
  request: RequestRecord
  revoked: RevokedRecord
}

const KINDS: { [K in keyof RecordTypes]: Codec<RecordTypes[K]> } = {
  profile: {
    write: (w, v) => w.fixed(v.device, KEY_BYTES, 'device').uint(v.quota).uint(v.expireDays).uint(v.createdAt).uint(v.nextSeq),
    read: (r) => ({
      device: r.fixed(KEY_BYTES, 'device'),
      quota: r.uint('quota'),
      expireDays: r.uint('expireDays'),
      createdAt: r.uint('createdAt'),
      nextSeq: r.uint('nextSeq')
    })
  },
  code: {
    write: (w, v) => w.fixed(v.secret, SECRET_BYTES, 'secret').uint(v.expiresAt).uint(v.quota).uint(v.expireDays),
    read: (r) => ({ secret: r.fixed(SECRET_BYTES, 'secret'), expiresAt: r.uint('expiresAt'), quota: r.uint('quota'), expireDays: r.uint('expireDays') })
  },
  log: {
    write: (w, v) =>
      w.uint(v.addedAt).uint(v.ackedUpTo).uint(v.ackedAt).uint(v.clearedUpTo).uint(v.clearedBytes).uint(v.fetchedUpTo).uint(v.fetchedBytes),
    read: (r) => ({
      addedAt: r.uint('addedAt'),
      ackedUpTo: r.uint('ackedUpTo'),
      ackedAt: r.uint('ackedAt'),
      clearedUpTo: r.uint('clearedUpTo'),
      clearedBytes: r.uint('clearedBytes'),
      fetchedUpTo: r.uint('fetchedUpTo'),
      fetchedBytes: r.uint('fetchedBytes')
    })
  },
  grant: {
    write: (w, v) => w.list(v.logs, MAX_GRANT_LOGS, 'logs', (k) => w.fixed(k, KEY_BYTES, 'log key')),
    read: (r) => ({ logs: r.list(MAX_GRANT_LOGS, 'logs', () => r.fixed(KEY_BYTES, 'log key')) })
  },
  prekeys: {
    write: (w, v) => {
      w.fixed(v.inbox, KEY_BYTES, 'inbox').bytes(v.bundle, MAX_BUNDLE_BYTES, 'bundle')
      w.list(v.oneTime, MAX_ONE_TIME_PREKEYS, 'oneTime', (p) => w.bytes(p, MAX_ONE_TIME_PREKEY_BYTES, 'one-time prekey'))
    },
    read: (r) => ({
      inbox: r.fixed(KEY_BYTES, 'inbox'),
      bundle: r.bytes(MAX_BUNDLE_BYTES, 'bundle'),
      oneTime: r.list(MAX_ONE_TIME_PREKEYS, 'oneTime', () => r.bytes(MAX_ONE_TIME_PREKEY_BYTES, 'one-time prekey'))
    })
  },
  request: {
    write: (w, v) => w.uint(v.receivedAt).bytes(v.sealed, MAX_SEALED_BYTES, 'sealed'),
    read: (r) => ({ receivedAt: r.uint('receivedAt'), sealed: r.bytes(MAX_SEALED_BYTES, 'sealed') })
  },
  revoked: {
    write: (w, v) => w.uint(v.at),
    read: (r) => ({ at: r.uint('at') })
  }
}

export type RecordKind = keyof RecordTypes
export type RecordOf<K extends RecordKind> = RecordTypes[K]
const KIND_TAGS = Object.keys(KINDS) as RecordKind[]

function codecOf<K extends RecordKind>(kind: K): Codec<RecordOf<K>> {
  return KINDS[kind]
}

export function encodeRecord<K extends RecordKind>(kind: K, value: RecordOf<K>): Buffer {
  const w = new Writer().uint8(RECORD_VERSION).uint8(KIND_TAGS.indexOf(kind))
  ;codecOf(kind).write(w, value)
  return w.done()
}

/** Throws HomeError('malformed') for bytes that are not a record of this kind and version. */
export function decodeRecord<K extends RecordKind>(kind: K, bytes: Uint8Array): RecordOf<K> {
  const r = new Reader(bytes, MAX_RECORD_BYTES, `${kind} record`)
  const version = r.uint8('version')
  if (version !== RECORD_VERSION) throw new HomeError('malformed', `${kind} record: unsupported version ${version}`)
  const tag = r.uint8('kind')
  if (KIND_TAGS[tag] !== kind) throw new HomeError('malformed', `${kind} record: holds a ${KIND_TAGS[tag] ?? 'unknown'} record`)
  const value = codecOf(kind).read(r)
  r.end()
  return value
}
