// What a media datagram carries once opened. 'media' is one fragment of one encoded frame (an Opus
// packet fits in one; a VP8 keyframe takes many). 'probe' and 'report' measure the path: the
// receiver reports loss and jitter and echoes the last probe with how long it held it, so the sender
// gets the round trip without synchronised clocks. 'keyframe' asks the sender for a fresh keyframe
// after the receiver lost part of one. 'nack' asks the sender to send fragments of a recent frame
// again (all of them when the list is empty: the receiver saw none of that frame and does not know
// how many it had). Timestamps are microseconds on the sender's media clock.
import c from 'compact-encoding'
import { decodeAll, MediaWireError, readEnum, readFlag, readUint, type State } from './codec'

export const MAX_FRAGMENTS = 255
export const MAX_TIMESTAMP_US = Number.MAX_SAFE_INTEGER

export type StreamKind = 'audio' | 'video'

export interface MediaFragment {
  kind: 'media'
  stream: StreamKind
  keyframe: boolean
  /** Frame number within its stream. */
  seq: number
  timestampUs: number
  fragment: number
  fragments: number
  data: Uint8Array
}

export type MediaPacket =
  | MediaFragment
  | { kind: 'probe'; sentAtUs: number }
  | { kind: 'report'; received: number; lost: number; jitterUs: number; echoUs: number; heldUs: number }
  | { kind: 'keyframe'; stream: StreamKind }
  | { kind: 'nack'; stream: StreamKind; seq: number; fragments: number[] }

const KINDS = ['media', 'probe', 'report', 'keyframe', 'nack'] as const
const STREAMS: readonly StreamKind[] = ['audio', 'video']
const MAX = Number.MAX_SAFE_INTEGER

function checkUint(value: number, what: string, max = MAX): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw new MediaWireError(`${what} out of range`)
}

function check(packet: MediaPacket): void {
  switch (packet.kind) {
    case 'media':
      if (!STREAMS.includes(packet.stream)) throw new MediaWireError('unknown stream')
      checkUint(packet.seq, 'seq')
      checkUint(packet.timestampUs, 'timestamp')
      checkUint(packet.fragments, 'fragments', MAX_FRAGMENTS)
      checkUint(packet.fragment, 'fragment', packet.fragments - 1)
      if (packet.fragments < 1) throw new MediaWireError('a frame has at least one fragment')
      return
    case 'probe':
      return checkUint(packet.sentAtUs, 'probe time')
    case 'report':
      for (const key of ['received', 'lost', 'jitterUs', 'echoUs', 'heldUs'] as const) checkUint(packet[key], key)
      return
    case 'keyframe':
      if (!STREAMS.includes(packet.stream)) throw new MediaWireError('unknown stream')
      return
    case 'nack':
      if (!STREAMS.includes(packet.stream)) throw new MediaWireError('unknown stream')
      checkUint(packet.seq, 'seq')
      checkUint(packet.fragments.length, 'fragment count', MAX_FRAGMENTS)
      for (const i of packet.fragments) checkUint(i, 'fragment', MAX_FRAGMENTS - 1)
      return
    default:
      throw new MediaWireError('unknown packet kind')
  }
}

function write(state: State, packet: MediaPacket): void {
  c.uint8.encode(state, KINDS.indexOf(packet.kind))
  switch (packet.kind) {
    case 'media':
      c.uint8.encode(state, STREAMS.indexOf(packet.stream))
      c.uint8.encode(state, packet.keyframe ? 1 : 0)
      c.uint.encode(state, packet.seq)
      c.uint.encode(state, packet.timestampUs)
      c.uint8.encode(state, packet.fragment)
      c.uint8.encode(state, packet.fragments)
      c.raw.encode(state, packet.data)
      return
    case 'probe':
      c.uint.encode(state, packet.sentAtUs)
      return
    case 'report':
      for (const v of [packet.received, packet.lost, packet.jitterUs, packet.echoUs, packet.heldUs]) c.uint.encode(state, v)
      return
    case 'keyframe':
      c.uint8.encode(state, STREAMS.indexOf(packet.stream))
      return
    case 'nack':
      c.uint8.encode(state, STREAMS.indexOf(packet.stream))
      c.uint.encode(state, packet.seq)
      c.uint8.encode(state, packet.fragments.length)
      for (const i of packet.fragments) c.uint8.encode(state, i)
      return
  }
}

/** The packet's bytes, at most `max` of them; throws MediaWireError when it does not fit or is invalid. */
export function encodeMediaPacket(packet: MediaPacket, max: number): Buffer {
  check(packet)
  const probe = c.state()
  probe.buffer = Buffer.alloc(max + 64)
  probe.end = probe.buffer.byteLength
  try {
    write(probe, packet)
  } catch {
    throw new MediaWireError(`packet larger than ${max} bytes`)
  }
  if (probe.start > max) throw new MediaWireError(`packet of ${probe.start} bytes, at most ${max}`)
  return Buffer.from(probe.buffer.subarray(0, probe.start))
}

export function decodeMediaPacket(bytes: Uint8Array): MediaPacket {
  return decodeAll<MediaPacket>(bytes, (state) => {
    const kind = readEnum(state, KINDS, 'packet kind')
    switch (kind) {
      case 'media': {
        const stream = readEnum(state, STREAMS, 'stream')
        const keyframe = readFlag(state, 'keyframe')
        const seq = readUint(state, MAX, 'seq')
        const timestampUs = readUint(state, MAX_TIMESTAMP_US, 'timestamp')
        const fragment = c.uint8.decode(state)
        const fragments = c.uint8.decode(state)
        if (fragments < 1 || fragment >= fragments) throw new MediaWireError(`fragment ${fragment} of ${fragments}`)
        const data = bytes.subarray(state.start, state.end)
        state.start = state.end
        return { kind, stream, keyframe, seq, timestampUs, fragment, fragments, data }
      }
      case 'probe':
        return { kind, sentAtUs: readUint(state, MAX, 'probe time') }
      case 'report': {
        const [received, lost, jitterUs, echoUs, heldUs] = [0, 1, 2, 3, 4].map(() => readUint(state, MAX, 'report field'))
        return { kind, received, lost, jitterUs, echoUs, heldUs }
      }
      case 'keyframe':
        return { kind, stream: readEnum(state, STREAMS, 'stream') }
      case 'nack': {
        const stream = readEnum(state, STREAMS, 'stream')
        const seq = readUint(state, MAX, 'seq')
        const count = c.uint8.decode(state)
        const fragments = Array.from({ length: count }, () => c.uint8.decode(state))
        if (fragments.some((i) => i >= MAX_FRAGMENTS)) throw new MediaWireError(`fragment ${MAX_FRAGMENTS} of at most ${MAX_FRAGMENTS}`)
        return { kind, stream, seq, fragments }
      }
    }
  })
}
