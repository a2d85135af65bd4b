// Who the box serves, and what for: profiles (each paired to one device's link key), one-time
// pairing codes, revoked devices, contacts' grants to a profile's logs, published prekeys and the
// sealed contact requests waiting for an owner. The records live in the box's Hyperbee; the indexes
// the firewall asks on every handshake are kept in memory and rebuilt at open.
import { timingSafeEqual } from 'node:crypto'
import { randomBytes } from '../crypto'
import { BoxDb, dbKey, keyIds, keyTail } from './box-db'
import { HomeError } from './errors'
import { newPairingCode, pairingProof, type PairingCode } from './pairing-code'
import type { ProfileRecord } from './records'
import { MAX_ONE_TIME_PREKEYS, MAX_REQUESTS_PER_REPLY, PROFILE_ID_BYTES, type SealedItem } from './wire'

export const MAX_WAITING_REQUESTS_PER_PROFILE = 64
export const DEFAULT_QUOTA_BYTES = 1024 * 1024 * 1024
export const DEFAULT_EXPIRE_DAYS = 30
export const CODE_TTL_MS = 24 * 60 * 60 * 1000

export type Role =
  | { kind: 'owner'; profile: string; record: ProfileRecord }
  | { kind: 'guest'; grants: Map<string, Set<string>> }
  | { kind: 'revoked' }
  | { kind: 'stranger' }

export interface ProfileRules {
  quota: number
  expireDays: number
}

export class Registry {
  private readonly devices = new Map<string, string>()
  private readonly revoked = new Set<string>()
  /** guest stream key → profile → logs it may replicate */
  private readonly guests = new Map<string, Map<string, Set<string>>>()
  private readonly inboxes = new Map<string, string>()

  private constructor(private readonly db: BoxDb) {}

  static async open(db: BoxDb): Promise<Registry> {
    const registry = new Registry(db)
    for await (const { key, value } of db.list('profile')) registry.devices.set(value.device.toString('hex'), keyTail(key))
    for await (const { key } of db.list('revoked')) registry.revoked.add(keyTail(key))
    for await (const { key, value } of db.list('grant')) {
      const [profile, guest] = keyIds(key)
      registry.setGrant(profile, guest, value.logs)
    }
    for await (const { key, value } of db.list('prekeys')) registry.inboxes.set(value.inbox.toString('hex'), keyTail(key))
    return registry
  }

  roleOf(remoteKey: Buffer): Role {
    const key = remoteKey.toString('hex')
    if (this.revoked.has(key)) return { kind: 'revoked' }
    const grants = this.guests.get(key)
    if (grants !== undefined) return { kind: 'guest', grants }
    return { kind: 'stranger' }
  }

  /** The owner's role with its current record, or null when the key is not a paired device. */
  async ownerOf(remoteKey: Buffer): Promise<Extract<Role, { kind: 'owner' }> | null> {
    const profile = this.devices.get(remoteKey.toString('hex'))
    if (profile === undefined) return null
    const record = await this.db.get('profile', dbKey.profile(profile))
    return record === null ? null : { kind: 'owner', profile, record }
  }

  /** Whether a handshake from this key is let through without using a stranger's slot. */
  isKnown(remoteKey: Buffer): boolean {
    const key = remoteKey.toString('hex')
    return this.devices.has(key) || this.guests.has(key)
  }

  inboxTopics(): Buffer[] {
    return [...this.inboxes.keys()].map((hex) => Buffer.from(hex, 'hex'))
  }

  async createCode(boxKey: Buffer, rules: ProfileRules, now: number): Promise<PairingCode> {
    const code = newPairingCode(boxKey)
    await this.db.put('code', dbKey.code(code.codeId.toString('hex')), {
      secret: code.secret,
      expiresAt: now + CODE_TTL_MS,
      quota: rules.quota,
      expireDays: rules.expireDays
    })
    return code
  }

  /** Throws 'bad-pairing-code' for an unknown, used, expired or forged code, 'revoked' for an unlinked device. */
  async pair(device: Buffer, boxKey: Buffer, codeId: Buffer, proof: Buffer, now: number): Promise<{ profile: string; record: ProfileRecord }> {
    const deviceHex = device.toString('hex')
    if (this.revoked.has(deviceHex)) throw new HomeError('revoked', 'this device was unlinked from the home node; pair again with a new key')
    if (this.devices.has(deviceHex)) throw new HomeError('malformed', 'this device is already paired with the home node')
    const codeKey = dbKey.code(codeId.toString('hex'))
    const code = await this.db.get('code', codeKey)
    const expected = code === null ? null : pairingProof(code.secret, boxKey, device)
    if (code === null || expected === null || !timingSafeEqual(expected, proof)) {
      throw new HomeError('bad-pairing-code', 'the pairing code is not one this home node issued, or it was already used')
    }
    await this.db.del(codeKey)
    if (code.expiresAt < now) throw new HomeError('bad-pairing-code', 'the pairing code has expired: print a new one on the home node')
    const profile = randomBytes(PROFILE_ID_BYTES).toString('hex')
    const record: ProfileRecord = { device, quota: code.quota, expireDays: code.expireDays, createdAt: now, nextSeq: 1 }
    await this.db.put('profile', dbKey.profile(profile), record)
    await this.db.putDevice(deviceHex, profile)
    this.devices.set(deviceHex, profile)
    return { profile, record }
  }

  /** Forgets the profile's records and revokes its device for good; returns the device key. */
  async unlink(profile: string, now: number): Promise<Buffer | null> {
    const record = await this.db.get('profile', dbKey.profile(profile))
    if (record === null) return null
    const deviceHex = record.device.toString('hex')
    await this.db.put('revoked', dbKey.revoked(deviceHex), { at: now })
    this.revoked.add(deviceHex)
    this.devices.delete(deviceHex)
    await this.db.del(dbKey.device(deviceHex))
    for await (const { key } of this.db.list('grant', `${profile}/`)) {
      await this.db.del(key)
      this.setGrant(profile, keyTail(key), [])
    }
    for await (const { key } of this.db.list('request', `${profile}/`)) await this.db.del(key)
    const prekeys = await this.db.get('prekeys', dbKey.prekeys(profile))
    if (prekeys !== null) this.inboxes.delete(prekeys.inbox.toString('hex'))
    await this.db.del(dbKey.prekeys(profile))
    await this.db.del(dbKey.profile(profile))
    return record.device
  }

  async grant(profile: string, guest: Buffer, logs: Buffer[]): Promise<void> {
    await this.db.put('grant', dbKey.grant(profile, guest.toString('hex')), { logs })
    this.setGrant(profile, guest.toString('hex'), logs)
  }

  async ungrant(profile: string, guest: Buffer): Promise<void> {
    await this.db.del(dbKey.grant(profile, guest.toString('hex')))
    this.setGrant(profile, guest.toString('hex'), [])
  }

  /** A new bundle for the profile's inbox; an empty `oneTime` keeps the supply it has for that inbox (see supply). */
  async publish(profile: string, inbox: Buffer, bundle: Buffer, oneTime: Buffer[]): Promise<void> {
    const previous = await this.db.get('prekeys', dbKey.prekeys(profile))
    if (previous !== null) this.inboxes.delete(previous.inbox.toString('hex'))
    const owner = this.inboxes.get(inbox.toString('hex'))
    if (owner !== undefined && owner !== profile) throw new HomeError('not-granted', 'another profile on this home node publishes that inbox')
    const kept = oneTime.length === 0 && previous?.inbox.equals(inbox) ? previous.oneTime : oneTime
    await this.db.put('prekeys', dbKey.prekeys(profile), { inbox, bundle, oneTime: kept })
    this.inboxes.set(inbox.toString('hex'), profile)
  }

  /**
   * Adds one-time prekeys to those the profile's published bundle hands out, keeping at most
   * MAX_ONE_TIME_PREKEYS (the oldest go); returns how many are held now. The owner calls it with
   * none to learn how many are left, and tops the supply up.
   */
  async supply(profile: string, oneTime: Buffer[]): Promise<number> {
    const record = await this.db.get('prekeys', dbKey.prekeys(profile))
    if (record === null) throw new HomeError('no-profile', 'publish a bundle before one-time prekeys')
    if (oneTime.length === 0) return record.oneTime.length
    const held = [...record.oneTime, ...oneTime].slice(-MAX_ONE_TIME_PREKEYS)
    await this.db.put('prekeys', dbKey.prekeys(profile), { ...record, oneTime: held })
    return held.length
  }

  /** The published bundle and one one-time prekey, which is handed out once and then forgotten. */
  async takeBundle(inbox: Buffer): Promise<{ bundle: Buffer; oneTime: Buffer | null }> {
    const profile = this.inboxOwner(inbox)
    const record = await this.db.get('prekeys', dbKey.prekeys(profile))
    if (record === null) throw new HomeError('no-profile', 'this home node publishes nothing for that inbox')
    const [oneTime = null, ...rest] = record.oneTime
    if (oneTime !== null) await this.db.put('prekeys', dbKey.prekeys(profile), { ...record, oneTime: rest })
    return { bundle: record.bundle, oneTime }
  }

  async deposit(inbox: Buffer, sealed: Buffer, now: number): Promise<void> {
    const profile = this.inboxOwner(inbox)
    let waiting = 0
    for await (const entry of this.db.list('request', `${profile}/`)) if (entry) waiting++
    if (waiting >= MAX_WAITING_REQUESTS_PER_PROFILE) {
      throw new HomeError('limit', `${MAX_WAITING_REQUESTS_PER_PROFILE} contact requests are already waiting for this person`)
    }
    const record = await this.db.get('profile', dbKey.profile(profile))
    if (record === null) throw new HomeError('no-profile', 'this home node publishes nothing for that inbox')
    await this.db.put('request', dbKey.request(profile, record.nextSeq), { receivedAt: now, sealed })
    await this.db.put('profile', dbKey.profile(profile), { ...record, nextSeq: record.nextSeq + 1 })
  }

  /** Forgets the requests the owner has stored (seq ≤ forgetUpTo) and returns the next few waiting. */
  async takeRequests(profile: string, forgetUpTo: number): Promise<SealedItem[]> {
    const items: SealedItem[] = []
    for await (const { key, value } of this.db.list('request', `${profile}/`)) {
      const seq = Number(keyTail(key))
      if (seq <= forgetUpTo) await this.db.del(key)
      else if (items.length < MAX_REQUESTS_PER_REPLY) items.push({ seq, sealed: value.sealed })
    }
    return items
  }

  async countRequests(profile: string): Promise<number> {
    let n = 0
    for await (const entry of this.db.list('request', `${profile}/`)) if (entry) n++
    return n
  }

  async profiles(): Promise<{ profile: string; record: ProfileRecord }[]> {
    const out: { profile: string; record: ProfileRecord }[] = []
    for await (const { key, value } of this.db.list('profile')) out.push({ profile: keyTail(key), record: value })
    return out
  }

  private inboxOwner(inbox: Buffer): string {
    const profile = this.inboxes.get(inbox.toString('hex'))
    if (profile === undefined) throw new HomeError('no-profile', 'this home node publishes nothing for that inbox')
    return profile
  }

  private setGrant(profile: string, guest: string, logs: Buffer[]): void {
    const grants = this.guests.get(guest) ?? new Map<string, Set<string>>()
    if (logs.length === 0) grants.delete(profile)
    else grants.set(profile, new Set(logs.map((k) => k.toString('hex'))))
    if (grants.size === 0) this.guests.delete(guest)
    else this.guests.set(guest, grants)
  }
}
