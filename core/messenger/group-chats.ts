// The profile's groups, as the API reaches them (messenger.groups): creating one from contacts,
// inviting, removing, leaving, renaming, writing and reading. Joining takes two payloads over the
// pair's 1:1 ratcheted session (core/groups/invite.ts): the admin's invitation, then the contact's
// acceptance naming their new log, which the admin binds to them with a signed add. An invitation
// from a contact is accepted by itself (the contact chose to add me; leaving is one call away).
import type HyperDHT from 'hyperdht'
import { CairnError } from '../api/errors'
import type { ContactId, GroupHistoryPage, GroupId, GroupInfo, GroupMessage, GroupReceipts, HistoryQuery } from '../api/types'
import { decodeAccept, decodeInvite, decodeRemoved, encodeAccept, encodeInvite, encodeRemoved, GroupError, signalKind } from '../groups'
import { MAX_GROUP_NAME_BYTES as MAX_NAME_BYTES } from '../protocol/limits'
import { ContactKey } from '../identity'
import { encodePayload } from '../protocol/payload'
import { keys } from '../store'
import type { Conversation } from './conversation'
import type { Directory } from './directory'
import { GroupChat, type GroupChatDeps } from './group-chat'
import { messagePayload } from './send'
import { cleanName } from './names'
import type { GroupRecord } from './records'
import type Corestore from 'corestore'
import type { Network } from '../net'
import type { Store } from '../store'
import type { EventSink } from './events'
import { BundleBook } from './group-bundles'
import type { Self } from './self'

export interface GroupChatsDeps extends GroupChatDeps {
  directory: Directory
}

const HISTORY_MAX = 500
/** Invitations are accepted by themselves; each opens a log and a swarm, so only this many may wait for their add. */
const MAX_JOINING = 16

function groupName(name: string): string {
  const clean = cleanName(name, 'group name')
  if (Buffer.byteLength(clean) > MAX_NAME_BYTES) throw new CairnError('invalid-argument', `a group name is at most ${MAX_NAME_BYTES} bytes`)
  return clean
}

function asCairnError(err: unknown): unknown {
  return err instanceof GroupError ? new CairnError('invalid-argument', err.message) : err
}

export class GroupChats {
  private readonly chats = new Map<string, GroupChat>()
  private signals: Promise<void> = Promise.resolve()

  constructor(private readonly deps: GroupChatsDeps) {}

  /** Opens every stored group and acts on invitations read but not acted on before a stop. */
  async start(): Promise<void> {
    for await (const { key, value } of this.deps.store.range(keys.groups())) {
      const rec = JSON.parse(value.toString('utf8')) as GroupRecord
      this.chats.set(rec.id, await GroupChat.open(this.deps, key.subarray(1), rec))
    }
    for (const c of this.deps.directory.conversations()) await this.onSignals(c)
  }

  /** A LAN DHT came or went: group swarms run on it too. */
  onDht(dht: HyperDHT, added: boolean): void {
    for (const chat of this.chats.values()) {
      if (added) chat.addDht(dht)
      else void chat.removeDht(dht)
    }
  }

  groups(): GroupInfo[] {
    return [...this.chats.values()].map((c) => c.info()).sort((a, b) => b.lastActivity - a.lastActivity)
  }

  async createGroup(name: string, members: ContactId[]): Promise<GroupInfo> {
    const clean = groupName(name)
    const invitees = members.map((id) => this.invitable(id))
    const chat = await GroupChat.create(this.deps, clean)
    this.chats.set(chat.id, chat)
    for (const c of invitees) await this.invite(chat, c)
    return chat.info()
  }

  async inviteToGroup(group: GroupId, members: ContactId[]): Promise<GroupInfo> {
    const chat = this.admin(group)
    const invitees = members.map((id) => this.invitable(id))
    for (const c of invitees) {
      if (chat.group.isMember(c.key.bytes)) throw new CairnError('invalid-argument', `${c.record.name} is a member already`)
    }
    for (const c of invitees) await this.invite(chat, c)
    return chat.info()
  }

  async removeFromGroup(group: GroupId, member: ContactId): Promise<GroupInfo> {
    const chat = this.admin(group)
    const key = ContactKey.fromId(member)
    if (!chat.group.isMember(key.bytes)) throw new CairnError('not-found', 'no such member in this group')
    await chat.act(() => chat.group.removeMember(key.bytes)).catch((err) => Promise.reject(asCairnError(err)))
    // A contact who is away would never find the group again to learn it: tell them directly.
    const contact = this.deps.directory.conversation(key)
    if (contact && !contact.record.blocked) await contact.sendSignal(signal(encodeRemoved(chat.group.id))).catch((err) => this.deps.events.report(err))
    return chat.info()
  }

  async leaveGroup(group: GroupId): Promise<GroupInfo> {
    const chat = this.member(group)
    await chat.act(() => [chat.group.leave()]).catch((err) => Promise.reject(asCairnError(err)))
    return chat.info()
  }

  async renameGroup(group: GroupId, name: string): Promise<GroupInfo> {
    const chat = this.admin(group)
    const clean = groupName(name)
    await chat.act(() => [chat.group.rename(clean)]).catch((err) => Promise.reject(asCairnError(err)))
    return chat.info()
  }

  async sendToGroup(group: GroupId, text: string): Promise<GroupMessage> {
    const chat = this.member(group)
    const payload = messagePayload(text, Date.now())
    return chat.send(payload).catch((err) => Promise.reject(asCairnError(err)))
  }

  async groupHistory(group: GroupId, query: HistoryQuery = {}): Promise<GroupHistoryPage> {
    const chat = this.require(group)
    const limit = query.limit ?? 50
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_MAX) throw new CairnError('invalid-argument', `limit must be 1..${HISTORY_MAX}`)
    const lines = chat.lines()
    let end = lines.length
    if (query.before !== undefined) {
      if (!/^\d{1,9}$/.test(query.before)) throw new CairnError('invalid-argument', 'before is not a cursor from a previous page')
      end = Math.min(end, Number(query.before))
    }
    const start = Math.max(0, end - limit)
    return { messages: lines.slice(start, end).reverse(), before: start > 0 ? String(start) : null }
  }

  async markGroupRead(group: GroupId): Promise<void> {
    await this.require(group).markRead()
  }

  async groupReceipts(group: GroupId, message: string): Promise<GroupReceipts> {
    return this.require(group).receipts(message)
  }

  // ---- the 1:1 side ----

  /** Acts on the invitations and acceptances read from this contact's log, one at a time, then forgets them. */
  onSignals(c: Conversation): Promise<void> {
    const run = this.signals.then(async () => {
      for await (const { key, value } of this.deps.store.range(keys.groupSignalsOf(c.tag))) {
        await this.onSignal(c, value).catch((err) => this.deps.events.report(err))
        await this.deps.store.write((tx) => tx.del(key))
      }
    })
    this.signals = run.catch(() => undefined)
    return run
  }

  private async onSignal(c: Conversation, bytes: Buffer): Promise<void> {
    if (c.record.blocked) return
    const kind = signalKind(bytes)
    if (kind === 3) return this.onRemoved(c, decodeRemoved(bytes))
    if (kind === 1) {
      const invite = decodeInvite(bytes)
      const id = invite.genesis.group.toString('hex')
      // Any contact may invite me to a group (an admin who is not its creator too): only a signed add
      // by an admin of that group, read from its logs, makes me a member.
      const former = this.chats.get(id)
      if (former && former.rec.status !== 'removed' && former.rec.status !== 'left') return
      if ([...this.chats.values()].filter((chat) => chat.rec.status === 'joining').length >= MAX_JOINING) {
        c.security('protocol-violation', `a group invitation was ignored: ${MAX_JOINING} groups are already waiting to be joined`)
        return
      }
      // Invited back after leaving or being removed: a new log and a new replica; the old log stays
      // (it is signed history the others hold) and so does nothing of what I read before.
      if (former) {
        await former.forget()
        this.chats.delete(id)
      }
      const chat = await GroupChat.join(this.deps, invite)
      this.chats.set(id, chat)
      await c.sendSignal(signal(encodeAccept({ group: invite.genesis.group, log: chat.logKey })))
      return
    }
    const accept = decodeAccept(bytes)
    const chat = this.chats.get(accept.group.toString('hex'))
    const pk = c.key.hex
    if (!chat || !chat.rec.invited.includes(pk)) {
      c.security('protocol-violation', 'the contact accepted a group invitation I never sent them')
      return
    }
    await chat.update({ invited: chat.rec.invited.filter((k) => k !== pk) })
    if (!chat.group.isMember(c.key.bytes)) await chat.act(() => chat.group.addMember(c.key.bytes, accept.log))
  }

  private async onRemoved(c: Conversation, group: Buffer): Promise<void> {
    const chat = this.chats.get(group.toString('hex'))
    if (!chat) return
    if (!chat.group.state.members.get(c.key.hex)?.admin) {
      c.security('protocol-violation', 'the contact said I was removed from a group they are no admin of')
      return
    }
    await chat.removedByNotice()
  }

  private async invite(chat: GroupChat, c: Conversation): Promise<void> {
    const invite = encodeInvite({ ...chat.group.invitation(), name: chat.group.name })
    await chat.update({ invited: [...new Set([...chat.rec.invited, c.key.hex])] })
    await c.sendSignal(signal(invite))
  }

  private invitable(id: ContactId): Conversation {
    const c = this.deps.directory.require(id)
    c.refuseIfBlocked()
    if (!c.record.bundle && c.record.sessions.length === 0) {
      throw new CairnError('offline', `${c.record.name} has not been online with me yet: no session to send the invitation in`)
    }
    return c
  }

  private require(group: GroupId): GroupChat {
    const chat = this.chats.get(group)
    if (!chat) throw new CairnError('not-found', 'no such group')
    return chat
  }

  private member(group: GroupId): GroupChat {
    const chat = this.require(group)
    if (chat.rec.status !== 'member') throw new CairnError('invalid-argument', chat.rec.status === 'joining' ? 'I have not joined this group yet' : 'I am no longer a member of this group')
    return chat
  }

  private admin(group: GroupId): GroupChat {
    const chat = this.member(group)
    if (!chat.info().admin) throw new CairnError('invalid-argument', 'only admins change the group')
    return chat
  }

  async close(): Promise<void> {
    await this.signals
    for (const chat of this.chats.values()) await chat.close()
  }
}

function signal(data: Buffer): Buffer {
  return encodePayload({ kind: 'group', sentAt: Date.now(), data })
}

/** The profile's groups over its store, network and contacts (the messenger's `groups`). */
export function groupChatsOf(p: {
  store: Store
  corestore: Corestore
  events: EventSink
  directory: Directory
  self: Self
  network: Network
}): GroupChats {
  const { directory, self } = p
  const contact = (identity: Buffer) => directory.conversation(ContactKey.fromBytes(identity))
  const me = self.identity.publicKey
  const chats = new GroupChats({
    store: p.store,
    corestore: p.corestore,
    identity: self.identity,
    events: p.events,
    directory,
    prekey: (id) => self.prekey(id),
    dhts: () => p.network.dhts(),
    bundles: new BundleBook(me, () => self.bundle(), (id) => {
      const bundle = contact(id)?.record.bundle
      return bundle ? Buffer.from(bundle, 'hex') : null
    }),
    people: {
      me,
      contactName: (id) => contact(id)?.record.name ?? null,
      verified: (id) => contact(id)?.record.verified ?? false
    }
  })
  p.network.on('dht', (dht: HyperDHT, added: boolean) => chats.onDht(dht, added))
  return chats
}
