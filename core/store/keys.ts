// The binary key layout of the local store. Every per-contact key starts with the contact's tag (a
// keyed hash of their public key), so the store's plaintext keys never reveal who the contacts are.

const enum Space {
  Meta = 1,
  Contact = 2,
  Request = 3,
  Refused = 4,
  Message = 5,
  OutBlock = 6,
  Envelope = 7,
  Session = 8,
  Prekey = 9,
  Former = 10,
  InBlock = 11,
  Expiry = 12,
  OneTime = 13,
  OneTimeNext = 14,
  // Groups (numbered apart from the contact spaces above, which other features extend).
  Group = 20,
  GroupState = 21,
  GroupSealer = 22,
  GroupSignal = 23,
  EventCounter = 15,
  Event = 16,
  ClientId = 17,
  ClientIdOrder = 18,
  Journal = 30
}

export const TAG_BYTES = 16

function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

function key(space: Space, ...parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([space]), ...parts])
}

export const keys = {
  meta: () => key(Space.Meta),
  contact: (tag: Buffer) => key(Space.Contact, tag),
  contacts: () => key(Space.Contact),
  request: (tag: Buffer) => key(Space.Request, tag),
  requests: () => key(Space.Request),
  refused: (tag: Buffer) => key(Space.Refused, tag),
  refusedAll: () => key(Space.Refused),
  message: (tag: Buffer, seq: number) => key(Space.Message, tag, u64(seq)),
  messages: (tag: Buffer) => key(Space.Message, tag),
  outBlock: (tag: Buffer, block: number) => key(Space.OutBlock, tag, u64(block)),
  /** Which history entry a block of their log became: how a reply names the message it quotes. */
  inBlock: (tag: Buffer, block: number) => key(Space.InBlock, tag, u64(block)),
  envelope: (tag: Buffer, block: number) => key(Space.Envelope, tag, u64(block)),
  envelopes: (tag: Buffer) => key(Space.Envelope, tag),
  session: (tag: Buffer, id: Buffer) => key(Space.Session, tag, id),
  prekey: (id: number) => key(Space.Prekey, u64(id)),
  prekeys: () => key(Space.Prekey),
  former: (tag: Buffer) => key(Space.Former, tag),
  /** A disappearing message's place in the queue of what expires, oldest first: when, whose, which. */
  expiry: (at: number, tag: Buffer, seq: number) => key(Space.Expiry, u64(at), tag, u64(seq)),
  expiries: () => key(Space.Expiry),
  /** Below every entry that expires at `at` or later. */
  expiriesUntil: (at: number) => key(Space.Expiry, u64(at)),
  /** My one-time prekeys (secrets until one starts a session) and the next id to make. */
  oneTimePrekey: (id: number) => key(Space.OneTime, u64(id)),
  oneTimePrekeys: () => key(Space.OneTime),
  oneTimeNext: () => key(Space.OneTimeNext),
  /** A group I am in (or was): its record, by the local random tag of my log for it. */
  group: (tag: Buffer) => key(Space.Group, tag),
  groups: () => key(Space.Group),
  /** The group's snapshot (core/groups/snapshot.ts) and its pairwise sessions, written with the record. */
  groupState: (tag: Buffer) => key(Space.GroupState, tag),
  groupSealer: (tag: Buffer) => key(Space.GroupSealer, tag),
  /** A group invitation or acceptance read from a contact's log, kept until it is acted on. */
  groupSignal: (contactTag: Buffer, block: number) => key(Space.GroupSignal, contactTag, u64(block)),
  groupSignalsOf: (contactTag: Buffer) => key(Space.GroupSignal, contactTag),
  /** The last number given in the profile's one sequence of message events (u64). */
  eventCounter: () => key(Space.EventCounter),
  /** The message (contact tag and history number) whose latest change took this event number. */
  event: (seq: number) => key(Space.Event, u64(seq)),
  events: () => key(Space.Event),
  /** A send's client id, as a keyed hash: the message it stored. */
  clientId: (tag: Buffer, idTag: Buffer) => key(Space.ClientId, tag, idTag),
  clientIds: (tag: Buffer) => key(Space.ClientId, tag),
  /** A contact's client ids in the order they were given, so the oldest are forgotten first. */
  clientIdOrder: (tag: Buffer, n: number) => key(Space.ClientIdOrder, tag, u64(n)),
  clientIdOrders: (tag: Buffer) => key(Space.ClientIdOrder, tag),
  /** A group of writes committed together and not yet applied to its keys (journal.ts), by commit order. */
  journal: (n: number) => key(Space.Journal, u64(n)),
  journals: () => key(Space.Journal)
}

/** The exclusive upper bound of every key that starts with prefix. */
export function prefixEnd(prefix: Buffer): Buffer {
  return Buffer.concat([prefix, Buffer.alloc(64, 0xff)])
}

export function seqOfKey(k: Buffer): number {
  return Number(k.readBigUInt64BE(k.length - 8))
}
