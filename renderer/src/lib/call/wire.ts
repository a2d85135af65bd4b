// Encoded frames between the pipeline (bytes) and the API (base64 text in MediaFrame).
import type { MediaFrame } from '../../../../core/api/types'
import type { EncodedMediaFrame } from './types'

export function toWire(frame: EncodedMediaFrame): MediaFrame {
  let text = ''
  const CHUNK = 0x8000
  for (let i = 0; i < frame.data.length; i += CHUNK) text += String.fromCharCode(...frame.data.subarray(i, i + CHUNK))
  return { stream: frame.stream, keyframe: frame.keyframe, seq: frame.seq, timestampUs: frame.timestampUs, data: btoa(text) }
}

export function fromWire(frame: MediaFrame): EncodedMediaFrame {
  const text = atob(frame.data)
  const data = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) data[i] = text.charCodeAt(i)
  return { stream: frame.stream, keyframe: frame.keyframe, seq: frame.seq, timestampUs: frame.timestampUs, data }
}
