// The box's bookkeeping, in a Hyperbee of its own corestore: profiles, their devices, pairing codes,
// kept logs, grants, published prekeys and sealed requests. Keys hold only random ids and core or
// stream keys in hex; values are the versioned records of ./records.ts.
import type Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { decodeRecord, encodeRecord, type RecordKind, type RecordOf } from './records'

const PREFIX: Record<RecordKind | 'device', string> = {
  profile: 'p/',
  device: 'd/',
  revoked: 'x/',
  code: 'c/',
  log: 'l/',
  grant: 'g/',
  prekeys: 'k/',
  request: 'r/'
}

const SEQ_DIGITS = 15

export const dbKey = {
  profile: (profile: string) => `${PREFIX.profile}${profile}`,
  device: (device: string) => `${PREFIX.device}${device}`,
  revoked: (device: string) => `${PREFIX.revoked}${device}`,
  code: (codeId: string) => `${PREFIX.code}${codeId}`,
  log: (profile: string, log: string) => `${PREFIX.log}${profile}/${log}`,
  grant: (profile: string, guest: string) => `${PREFIX.grant}${profile}/${guest}`,
  prekeys: (profile: string) => `${PREFIX.prekeys}${profile}`,
  request: (profile: string, seq: number) => `${PREFIX.request}${profile}/${String(seq).padStart(SEQ_DIGITS, '0')}`
}

export interface Entry<K extends RecordKind> {
  key: string
  value: RecordOf<K>
}

export class BoxDb {
  private constructor(private readonly bee: Hyperbee) {}

  static async open(store: Corestore): Promise<BoxDb> {
    const bee = new Hyperbee(store.get({ name: 'home/db' }), { keyEncoding: 'binary', valueEncoding: 'binary' })
    await bee.ready()
    return new BoxDb(bee)
  }

  async get<K extends RecordKind>(kind: K, key: string): Promise<RecordOf<K> | null> {
    const node = await this.bee.get(Buffer.from(key))
    return node === null ? null : decodeRecord(kind, node.value)
  }

  async put<K extends RecordKind>(kind: K, key: string, value: RecordOf<K>): Promise<void> {
    await this.bee.put(Buffer.from(key), encodeRecord(kind, value))
  }

  async del(key: string): Promise<void> {
    await this.bee.del(Buffer.from(key))
  }

  /** The device index: which profile a paired device's stream key belongs to (a 32-hex-char id). */
  async deviceProfile(device: string): Promise<string | null> {
    const node = await this.bee.get(Buffer.from(dbKey.device(device)))
    return node === null ? null : node.value.toString('utf8')
  }

  async putDevice(device: string, profile: string): Promise<void> {
    await this.bee.put(Buffer.from(dbKey.device(device)), Buffer.from(profile, 'utf8'))
  }

  /** Every record of a kind under a key prefix (e.g. one profile's logs), in key order. */
  async *list<K extends RecordKind>(kind: K, under = ''): AsyncIterable<Entry<K>> {
    const from = PREFIX[kind] + under
    const range = { gte: Buffer.from(from), lt: Buffer.from(from + '\xff') }
    for await (const node of this.bee.createReadStream(range)) {
      yield { key: node.key.toString('utf8'), value: decodeRecord(kind, node.value) }
    }
  }

  async close(): Promise<void> {
    await this.bee.close()
  }
}

/** The two ids of a two-part key made by dbKey (a log's or grant's profile, then its log or guest). */
export function keyIds(key: string): [string, string] {
  const [, first, second] = key.split('/')
  return [first, second]
}

/** The last path segment of a key made by dbKey (a log's, guest's or request's id). */
export function keyTail(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1)
}
