// A media datagram: version (1 byte) ‖ call tag (u32 LE) ‖ packet counter (compact uint) in the
// clear, then the MediaPacket sealed with XChaCha20-Poly1305 under the sender's direction key, the
// clear header as associated data and the counter as nonce. Each direction has its own key and its
// own counter starting at 0, so a nonce never repeats under one key; the receiver's replay window
// drops any counter it has seen, and the tag and key tie every datagram to one call.
//
// Size: at most MAX_DATAGRAM_BYTES, so that with secret-stream's 24 bytes and UDX's 20-byte header
// it fits UDX's 1200-byte packets (the MTU it assumes on the internet) unfragmented.
import c from 'compact-encoding'
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, aeadOpen, aeadSealInto } from '../crypto'
import { MediaWireError } from './codec'
import { decodeMediaPacket, encodeMediaPacket, type MediaPacket } from './media-packet'
import { ReplayWindow } from './replay-window'

export const DATAGRAM_VERSION = 1
export const MAX_DATAGRAM_BYTES = 1152
/** Room left for a media fragment's bytes after every header and the tag. */
export const MAX_FRAGMENT_BYTES = 1100

const MAX_HEADER_BYTES = 1 + 4 + 9

export interface DatagramHeader {
  tag: number
  counter: number
}

/** Reads the clear header only: enough to find the call before spending anything on decryption. */
export function peekDatagram(bytes: Uint8Array): DatagramHeader & { headerBytes: number } {
  if (bytes.byteLength > MAX_DATAGRAM_BYTES) throw new MediaWireError(`datagram of ${bytes.byteLength} bytes`)
  const state = c.state(0, bytes.byteLength, bytes)
  try {
    const version = c.uint8.decode(state)
    if (version !== DATAGRAM_VERSION) throw new MediaWireError(`datagram version ${version}`)
    const tag = c.uint32.decode(state)
    const counter = c.uint.decode(state)
    if (!Number.isSafeInteger(counter)) throw new MediaWireError('counter out of range')
    if (bytes.byteLength - state.start < AEAD_TAG_BYTES) throw new MediaWireError('datagram shorter than its tag')
    return { tag, counter, headerBytes: state.start }
  } catch (err) {
    if (err instanceof MediaWireError) throw err
    throw new MediaWireError('truncated datagram header')
  }
}

function nonceOf(counter: number): Buffer {
  const nonce = Buffer.alloc(AEAD_NONCE_BYTES)
  nonce.writeUIntLE(counter, 0, 6)
  nonce.writeUInt16LE(Math.floor(counter / 2 ** 48), 6)
  return nonce
}

/** Seals this side's packets of one call. */
export class DatagramSealer {
  private counter = 0

  constructor(
    private readonly key: Uint8Array,
    private readonly tag: number
  ) {}

  seal(packet: MediaPacket): Buffer {
    const header = Buffer.alloc(MAX_HEADER_BYTES)
    const hs = c.state(0, header.byteLength, header)
    c.uint8.encode(hs, DATAGRAM_VERSION)
    c.uint32.encode(hs, this.tag)
    c.uint.encode(hs, this.counter)
    const plain = encodeMediaPacket(packet, MAX_DATAGRAM_BYTES - hs.start - AEAD_TAG_BYTES)
    const out = Buffer.allocUnsafe(hs.start + plain.byteLength + AEAD_TAG_BYTES)
    header.copy(out, 0, 0, hs.start)
    aeadSealInto(out.subarray(hs.start), plain, out.subarray(0, hs.start), nonceOf(this.counter), this.key)
    this.counter++
    return out
  }
}

/** Opens the other side's packets of one call, each at most once. */
export class DatagramOpener {
  private readonly window = new ReplayWindow()

  constructor(private readonly key: Uint8Array) {}

  /** Throws MediaWireError for a datagram that is malformed, forged, of another call or a replay. */
  open(bytes: Uint8Array, header = peekDatagram(bytes)): MediaPacket {
    if (!this.window.fresh(header.counter)) throw new MediaWireError(`replayed or stale counter ${header.counter}`)
    const ad = bytes.subarray(0, header.headerBytes)
    const plain = aeadOpen(bytes.subarray(header.headerBytes), ad, nonceOf(header.counter), this.key)
    if (plain === null) throw new MediaWireError('datagram does not authenticate')
    const packet = decodeMediaPacket(plain)
    this.window.accept(header.counter)
    return packet
  }
}
