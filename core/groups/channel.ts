// What two members say to each other on a group swarm connection, beside the logs' replication:
// one Protomux channel `cairn/group`, one message kind, version 1 (compact-encoding; uint = varint):
//
//   version u8 = 1
//   bundles:   uint count, then per member: identity (32) | signed prekey bundle buffer
//   delivered: uint count, then per log: log key (32) | length uint   (the sender's own state)
//   read:      uint count, then per log: log key (32) | length uint   (the sender's own read mark)
//
// Bundles are how members who are not contacts start their pairwise sessions: each is signed by its
// owner (core/ratchet verifies it against the identity it is filed under), so any member may pass on
// every bundle it holds and who relayed it does not matter. Receipts are the sender's own and are
// believed only from the member whose log key opened the connection; they are hints for "delivered
// to N of M" / "read by N of M", not security state.
import * as c from 'compact-encoding'
import Protomux, { type Channel, type Message } from 'protomux'
import type { NoiseSecretStream } from 'hyperdht'
import { GROUP_PROTOCOL } from '../protocol/caps'
import { DecodeError } from '../protocol/decode'
import { MAX_GROUP_MEMBERS } from '../protocol/limits'
import { decodeGroupFormat, GroupError } from './errors'

export const CHANNEL_VERSION = 1
/** A bundle is ~110 bytes; anything much larger is not one. */
export const MAX_BUNDLE_BYTES = 512

export interface Lengths {
  log: Buffer
  length: number
}

export interface GroupChannelFrame {
  bundles: { identity: Buffer; bundle: Buffer }[]
  delivered: Lengths[]
  read: Lengths[]
}

type Field = [c.Encoder<any>, unknown]

function lengthFields(list: Lengths[]): Field[] {
  return [[c.uint, list.length] as Field].concat(list.flatMap((l): Field[] => [[c.fixed32, l.log], [c.uint, l.length]]))
}

export function encodeChannelFrame(f: GroupChannelFrame): Buffer {
  if (f.bundles.length > MAX_GROUP_MEMBERS || f.delivered.length > MAX_GROUP_MEMBERS || f.read.length > MAX_GROUP_MEMBERS) {
    throw new GroupError('malformed', 'a group channel frame names more than the group can hold')
  }
  const fields: Field[] = [[c.uint8, CHANNEL_VERSION], [c.uint, f.bundles.length]]
  for (const b of f.bundles) fields.push([c.fixed32, b.identity], [c.buffer, b.bundle])
  fields.push(...lengthFields(f.delivered), ...lengthFields(f.read))
  const state = c.state()
  for (const [enc, v] of fields) enc.preencode(state, v)
  state.buffer = Buffer.allocUnsafe(state.end)
  for (const [enc, v] of fields) enc.encode(state, v)
  return state.buffer as Buffer
}

function count(state: c.State, what: string): number {
  const n = c.uint.decode(state)
  if (n > MAX_GROUP_MEMBERS) throw new DecodeError(`a group channel frame with ${n} ${what}, at most ${MAX_GROUP_MEMBERS}`)
  return n
}

function lengths(state: c.State, what: string): Lengths[] {
  return Array.from({ length: count(state, what) }, () => ({ log: c.fixed32.decode(state) as Buffer, length: c.uint.decode(state) }))
}

export function decodeChannelFrame(bytes: Uint8Array): GroupChannelFrame {
  return decodeGroupFormat(bytes, 'group channel frame', (state) => {
    const version = c.uint8.decode(state)
    if (version !== CHANNEL_VERSION) throw new DecodeError(`group channel frame version ${version}`, 'unsupported-version')
    const bundles = Array.from({ length: count(state, 'bundles') }, () => {
      const identity = c.fixed32.decode(state) as Buffer
      const bundle = c.buffer.decode(state) as Buffer
      if (bundle.byteLength > MAX_BUNDLE_BYTES) throw new DecodeError('a prekey bundle in a group channel frame is too large')
      return { identity, bundle }
    })
    return { bundles, delivered: lengths(state, 'delivered lengths'), read: lengths(state, 'read lengths') }
  })
}

/**
 * The channel on one member connection. `onFrame` gets each well-formed frame; a malformed one goes
 * to `onBad` and the connection stays (the logs' replication on it is unaffected).
 */
export class GroupChannel {
  private readonly channel: Channel
  private readonly message: Message<Uint8Array>

  constructor(stream: NoiseSecretStream, onFrame: (f: GroupChannelFrame) => void, onBad: (err: Error) => void, onOpen: () => void) {
    const channel = Protomux.from(stream).createChannel({
      protocol: GROUP_PROTOCOL,
      unique: true,
      messages: [
        {
          encoding: c.raw,
          onmessage: (bytes: Uint8Array) => {
            let frame: GroupChannelFrame
            try {
              frame = decodeChannelFrame(bytes)
            } catch (err) {
              return onBad(err as Error)
            }
            onFrame(frame)
          }
        }
      ],
      onopen: onOpen
    })
    if (channel === null) throw new GroupError('malformed', 'a group channel is already open on this connection')
    this.channel = channel
    this.message = channel.messages[0] as Message<Uint8Array>
    channel.open()
  }

  get closed(): boolean {
    return this.channel.closed
  }

  send(frame: GroupChannelFrame): void {
    if (!this.channel.closed) this.message.send(encodeChannelFrame(frame))
  }
}
