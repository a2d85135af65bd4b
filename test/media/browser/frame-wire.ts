// The test's binary form of an encoded frame on the page↔core WebSocket: stream, keyframe flag,
// seq, capture timestamp, the wall-clock send time (to measure the hop), then the frame's bytes.
import type { EncodedMediaFrame } from '../../../renderer/src/lib/call/types'

export const KEYFRAME_REQUEST = 0xff
const HEADER = 1 + 1 + 4 + 8 + 8

export function encodeTestFrame(frame: EncodedMediaFrame, sentAtMs: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(HEADER + frame.data.byteLength)
  const view = new DataView(out.buffer)
  out[0] = frame.stream === 'audio' ? 0 : 1
  out[1] = frame.keyframe ? 1 : 0
  view.setUint32(2, frame.seq, true)
  view.setFloat64(6, frame.timestampUs, true)
  view.setFloat64(14, sentAtMs, true)
  out.set(frame.data, HEADER)
  return out
}

export function decodeTestFrame(bytes: Uint8Array): EncodedMediaFrame & { sentAtMs: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return {
    stream: bytes[0] === 0 ? 'audio' : 'video',
    keyframe: bytes[1] === 1,
    seq: view.getUint32(2, true),
    timestampUs: view.getFloat64(6, true),
    sentAtMs: view.getFloat64(14, true),
    data: bytes.subarray(HEADER)
  }
}
