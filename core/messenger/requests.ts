import { CairnError } from '../api/errors'
import type { Contact, ContactId, ContactRequest } from '../api/types'
import { ContactKey } from '../identity'
import type { Network } from '../net'
import type { RequestFrame } from '../net/frames'
import { decodeInvite } from '../protocol/invite'
import type { Introduction } from '../home'
import { decodeBundle, Session } from '../ratchet'
import { feedIntroduction } from './introductions'
import { keys, type Store } from '../store'
import type { Conversation } from './conversation'
import type { Directory } from './directory'
import type { EventSink } from './events'
import { cleanName } from './names'
import type { ContactRecord, FormerRecord, RequestRecord } from './records'
import type { Self } from './self'

/** Pending contact requests kept; beyond this new ones are dropped until some are answered. */
const MAX_REQUESTS = 500

export interface RequestDeps {
  store: Store
  directory: Directory
  network: Network
  self: Self
  events: EventSink
  /** A conversation for a new contact record, its logs opening. */
  conversation(rec: ContactRecord, tag: Buffer): Conversation
}

/** Contact requests heard and refused, and the making of a contact, asked for or accepted. */
export class ContactRequests {
  constructor(private readonly deps: RequestDeps) {}

  list(): ContactRequest[] {
    return [...this.deps.directory.requests()].map(toRequest).sort((a, b) => b.receivedAt - a.receivedAt)
  }

  /** Asks for a contact, or accepts their request if they already sent one. */
  async add(id: ContactId, name: string): Promise<Contact> {
    const key = this.other(id)
    const localName = cleanName(name, 'contact name')
    const existing = this.deps.directory.conversation(key)
    if (existing) return existing.toContact()
    return this.makeContact(key, localName, this.deps.directory.request(key))
  }

  /** Asks for a contact through their one-time invite (a hidden person's inbox is not announced). */
  async addByInvite(code: string, name: string): Promise<Contact> {
    const invite = decodeInvite(code)
    const key = this.other(ContactKey.fromBytes(invite.inviter).id)
    const localName = cleanName(name, 'contact name')
    const existing = this.deps.directory.conversation(key)
    if (existing) return existing.toContact()
    return this.makeContact(key, localName, this.deps.directory.request(key), invite.secret)
  }

  async accept(id: ContactId, name?: string): Promise<Contact> {
    const key = this.other(id)
    const request = this.deps.directory.request(key)
    if (!request) throw new CairnError('not-found', 'there is no contact request from this ID')
    return this.makeContact(key, cleanName(name ?? request.name, 'contact name'), request)
  }

  async refuse(id: ContactId): Promise<void> {
    const { store, directory, network, events } = this.deps
    const key = this.other(id)
    if (!directory.request(key)) throw new CairnError('not-found', 'there is no contact request from this ID')
    const tag = store.tag(key.bytes)
    await store.write((tx) => {
      tx.del(keys.request(tag))
      tx.put(keys.refused(tag), key.bytes)
    })
    directory.refuse(key)
    network.reclassify(key)
    events.emit({ type: 'request-removed', id: key.id })
  }

  async onRequest(key: ContactKey, req: RequestFrame): Promise<void> {
    const { store, directory, events } = this.deps
    if (directory.knows(key)) return
    if (directory.requestCount >= MAX_REQUESTS) return
    let bundle: string | null = null
    if (req.bundle) {
      try {
        decodeBundle(req.bundle, key.bytes)
        bundle = req.bundle.toString('hex')
      } catch {
        bundle = null
      }
    }
    const record: RequestRecord = { pk: key.hex, name: req.name, receivedAt: Date.now(), bundle }
    await store.write((tx) => tx.putJson(keys.request(store.tag(key.bytes)), record))
    directory.hold(record)
    events.emit({ type: 'request', request: toRequest(record) })
  }

  /**
   * An introduction taken from my home node: the next blocks of a contact's log, or a request from
   * someone new — held only if its first envelope opens, which only that identity could have made
   * (opened here to check, and again when accepted, when its one-time prekey is used up).
   */
  async onIntroduction(intro: Introduction): Promise<void> {
    const { store, directory, events, self } = this.deps
    const key = ContactKey.fromBytes(intro.identity)
    if (key.equals(self.identity.publicKey)) return
    const c = directory.conversation(key)
    if (c) return feedIntroduction(c, intro)
    const held = directory.request(key)
    if (held) return this.extend(held, intro)
    if (directory.knows(key) || directory.requestCount >= MAX_REQUESTS || !this.opens(key, intro)) return
    const record: RequestRecord = { pk: key.hex, name: intro.name, receivedAt: Date.now(), bundle: null, intro: introRecord(intro) }
    await store.write((tx) => tx.putJson(keys.request(store.tag(key.bytes)), record))
    directory.hold(record)
    events.emit({ type: 'request', request: toRequest(record) })
  }

  /** Whether the introduction's first envelope starts a session from my prekeys (checked, not kept). */
  private opens(key: ContactKey, intro: Introduction): boolean {
    const { self, directory } = this.deps
    if (intro.from !== 0 || intro.envelopes.length === 0 || directory.knownLog(intro.logKey)) return false
    try {
      Session.respond(self.identity, key.bytes, intro.envelopes[0], (id) => self.prekey(id), (id) => self.oneTime.get(id))
      return true
    } catch {
      return false
    }
  }

  /** A later introduction from someone whose request I hold (through my box or directly): its envelopes follow on. */
  private async extend(held: RequestRecord, intro: Introduction): Promise<void> {
    const { store, directory } = this.deps
    const key = ContactKey.fromHex(held.pk)
    if (!held.intro) {
      if (!this.opens(key, intro)) return
      const record: RequestRecord = { ...held, intro: introRecord(intro) }
      await store.write((tx) => tx.putJson(keys.request(store.tag(key.bytes)), record))
      return directory.hold(record)
    }
    const had = held.intro
    if (had.log !== intro.logKey.toString('hex') || intro.from > had.from + had.envelopes.length) return
    const fresh = intro.envelopes.slice(had.from + had.envelopes.length - intro.from).map((e) => e.toString('hex'))
    if (fresh.length === 0) return
    const record: RequestRecord = { ...held, intro: { ...had, envelopes: [...had.envelopes, ...fresh] } }
    await store.write((tx) => tx.putJson(keys.request(store.tag(key.bytes)), record))
    directory.hold(record)
  }

  /** A contact ID other than mine. */
  private other(id: ContactId): ContactKey {
    const key = ContactKey.fromId(id)
    if (key.equals(this.deps.self.identity.publicKey)) throw new CairnError('self', 'this is your own ID')
    return key
  }

  private async makeContact(key: ContactKey, name: string, request: RequestRecord | null, invite: Buffer | null = null): Promise<Contact> {
    const { store, directory, network, events } = this.deps
    const tag = store.tag(key.bytes)
    const rec = newContactRecord(key, name, request)
    if (request?.intro && !directory.knownLog(Buffer.from(request.intro.log, 'hex'))) {
      rec.theirLog = request.intro.log
      if (request.intro.home !== null) rec.home = request.intro.home
    }
    if (rec.requested && invite !== null) rec.invite = invite.toString('hex')
    await store.write(async (tx) => {
      const former = await tx.getJson<FormerRecord>(keys.former(tag))
      if (former) {
        rec.theirLog = former.theirLog
        rec.consumed = rec.readBlocks = former.consumed
        rec.outCount = rec.delivered = rec.read = former.outCount
        rec.sessions = former.sessions
        if (former.disappear) rec.disappear = former.disappear
      }
      tx.putJson(keys.contact(tag), rec)
      tx.del(keys.former(tag))
      tx.del(keys.request(tag))
      tx.del(keys.refused(tag))
    })
    const c = this.deps.conversation(rec, tag)
    directory.list(c)
    await c.ready()
    if (request?.intro) await feedIntroduction(c, introOf(key, request.intro))
    network.reclassify(key)
    network.addContact(key)
    if (rec.requested) network.sendRequest(key, this.deps.self.request(), inviteOf(rec))
    if (request) events.emit({ type: 'request-removed', id: c.id })
    return c.announce()
  }
}

/** The invite a pending request of mine goes through, if any. */
export function inviteOf(rec: ContactRecord): Buffer | null {
  return rec.invite === undefined ? null : Buffer.from(rec.invite, 'hex')
}

function newContactRecord(key: ContactKey, name: string, request: RequestRecord | null): ContactRecord {
  const now = Date.now()
  return {
    pk: key.hex,
    name,
    addedAt: now,
    blocked: false,
    verified: false,
    announcedName: request ? request.name : null,
    theirLog: null,
    logFault: null,
    bundle: request ? request.bundle : null,
    consumed: 0,
    readBlocks: 0,
    outCount: 0,
    delivered: 0,
    read: 0,
    nextSeq: 0,
    readSeq: 0,
    unread: 0,
    lastMessage: null,
    lastActivity: now,
    sessions: [],
    requested: request === null
  }
}

function introRecord(intro: Introduction): NonNullable<RequestRecord['intro']> {
  const hex = (b: Buffer) => b.toString('hex')
  return { log: hex(intro.logKey), home: intro.home && hex(intro.home), from: intro.from, envelopes: intro.envelopes.map(hex) }
}

function introOf(key: ContactKey, r: NonNullable<RequestRecord['intro']>): Introduction {
  const buf = (s: string) => Buffer.from(s, 'hex')
  return { identity: key.bytes, name: '', logKey: buf(r.log), home: r.home === null ? null : buf(r.home), from: r.from, envelopes: r.envelopes.map(buf) }
}

function toRequest(r: RequestRecord): ContactRequest {
  return { id: ContactKey.fromHex(r.pk).id, name: r.name, receivedAt: r.receivedAt }
}
