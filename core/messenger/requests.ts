import { CairnError } from '../api/errors'
import type { Contact, ContactId, ContactRequest } from '../api/types'
import { encodeContactId } from '../identity'
import type { RequestFrame } from '../net/frames'
import { decodeBundle } from '../ratchet'
import { keys } from '../store'
import type { MessengerContext } from './context'
import { Conversation } from './conversation'
import { openLogs } from './conversation-logs'
import { cleanName } from './names'
import type { ContactRecord, FormerRecord, RequestRecord } from './records'
import { dropAppendedEnvelopes } from './send'

/** Pending contact requests kept; beyond this new ones are dropped until some are answered. */
const MAX_REQUESTS = 500

/** Contact requests heard and refused, and the making of a contact, asked for or accepted. */
export class ContactRequests {
  private readonly pending = new Map<string, RequestRecord>()
  private readonly refused = new Set<string>()

  constructor(private readonly ctx: MessengerContext) {}

  async load(): Promise<void> {
    const { store } = this.ctx
    for await (const { key } of store.range(keys.refusedAll())) this.refused.add(key.subarray(1).toString('hex'))
    for await (const { value } of store.range(keys.requests())) {
      const r = JSON.parse(value.toString('utf8')) as RequestRecord
      this.pending.set(r.pk, r)
    }
  }

  isRefused(hex: string): boolean {
    return this.refused.has(hex)
  }

  list(): ContactRequest[] {
    return [...this.pending.values()].map(toRequest).sort((a, b) => b.receivedAt - a.receivedAt)
  }

  /** Asks for a contact, or accepts their request if they already sent one. */
  async add(id: ContactId, name: string): Promise<Contact> {
    const pk = this.ctx.decodeOther(id)
    const localName = cleanName(name, 'contact name')
    const existing = this.ctx.conversations.get(pk.toString('hex'))
    if (existing) return existing.toContact()
    const request = this.pending.get(pk.toString('hex'))
    return this.makeContact(pk, localName, request ?? null)
  }

  async accept(id: ContactId, name?: string): Promise<Contact> {
    const pk = this.ctx.decodeOther(id)
    const request = this.pending.get(pk.toString('hex'))
    if (!request) throw new CairnError('not-found', 'there is no contact request from this ID')
    return this.makeContact(pk, cleanName(name ?? request.name, 'contact name'), request)
  }

  async refuse(id: ContactId): Promise<void> {
    const { ctx } = this
    const pk = ctx.decodeOther(id)
    const hex = pk.toString('hex')
    if (!this.pending.has(hex)) throw new CairnError('not-found', 'there is no contact request from this ID')
    const tag = ctx.store.tag(pk)
    await ctx.store.write((tx) => {
      tx.del(keys.request(tag))
      tx.put(keys.refused(tag), Buffer.from(hex, 'hex'))
    })
    this.pending.delete(hex)
    this.refused.add(hex)
    ctx.network.reclassify(pk)
    ctx.emitEvent({ type: 'request-removed', id: encodeContactId(pk) })
  }

  async onRequest(pk: Buffer, req: RequestFrame): Promise<void> {
    const { ctx } = this
    const hex = pk.toString('hex')
    if (ctx.conversations.has(hex) || this.refused.has(hex) || this.pending.has(hex)) return
    if (this.pending.size >= MAX_REQUESTS) return
    let bundle: string | null = null
    if (req.bundle) {
      try {
        decodeBundle(req.bundle, pk)
        bundle = req.bundle.toString('hex')
      } catch {
        bundle = null
      }
    }
    const record: RequestRecord = { pk: hex, name: req.name, receivedAt: Date.now(), bundle }
    await ctx.store.write((tx) => tx.putJson(keys.request(ctx.store.tag(pk)), record))
    this.pending.set(hex, record)
    ctx.emitEvent({ type: 'request', request: toRequest(record) })
  }

  private async makeContact(pk: Buffer, name: string, request: RequestRecord | null): Promise<Contact> {
    const { ctx } = this
    const hex = pk.toString('hex')
    const tag = ctx.store.tag(pk)
    const now = Date.now()
    const rec: ContactRecord = {
      pk: hex,
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
    await ctx.store.write(async (tx) => {
      const former = await tx.getJson<FormerRecord>(keys.former(tag))
      if (former) {
        rec.theirLog = former.theirLog
        rec.consumed = rec.readBlocks = former.consumed
        rec.outCount = rec.delivered = rec.read = former.outCount
        rec.sessions = former.sessions
      }
      tx.putJson(keys.contact(tag), rec)
      tx.del(keys.former(tag))
      tx.del(keys.request(tag))
      tx.del(keys.refused(tag))
    })
    const c = new Conversation(rec, tag)
    ctx.conversations.set(hex, c)
    this.pending.delete(hex)
    this.refused.delete(hex)
    c.opened = openLogs(ctx, c).then(() => dropAppendedEnvelopes(ctx.store, c))
    await c.opened
    ctx.network.reclassify(pk)
    ctx.network.addContact(pk)
    if (rec.requested) ctx.network.sendRequest(pk, ctx.myRequest())
    if (request) ctx.emitEvent({ type: 'request-removed', id: c.id })
    return ctx.emitContact(c)
  }
}

function toRequest(r: RequestRecord): ContactRequest {
  return { id: encodeContactId(Buffer.from(r.pk, 'hex')), name: r.name, receivedAt: r.receivedAt }
}
