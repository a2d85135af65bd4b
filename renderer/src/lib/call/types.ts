// What the renderer's media pipeline hands to the core and gets back: whole encoded frames. The core
// cuts them into datagrams and puts them back together (core/media), so a frame crosses the
// renderer↔core hop once, whatever its size.
export type MediaKind = 'audio' | 'video'

export interface EncodedMediaFrame {
  stream: MediaKind
  keyframe: boolean
  /** Frame number within its stream, from 0. */
  seq: number
  /** Capture time on the sender's media clock, microseconds. */
  timestampUs: number
  data: Uint8Array
}
