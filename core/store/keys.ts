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
  EventCounter = 12,
  Event = 13,
  ClientId = 14,
  ClientIdOrder = 15
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
  clientIdOrders: (tag: Buffer) => key(Space.ClientIdOrder, tag)
}

/** The exclusive upper bound of every key that starts with prefix. */
export function prefixEnd(prefix: Buffer): Buffer {
  return Buffer.concat([prefix, Buffer.alloc(64, 0xff)])
}

export function seqOfKey(k: Buffer): number {
  return Number(k.readBigUInt64BE(k.length - 8))
}
