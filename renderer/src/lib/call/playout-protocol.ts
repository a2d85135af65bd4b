// Messages between the page and the playout worklet; shared by both sides, kept apart from the worklet
// module because that one registers a processor when loaded and only runs in the audio thread.
import type { PlayoutStats } from './playout-buffer'

export const PLAYOUT_PROCESSOR = 'cairn-playout'

/** A decoded frame and its seq. */
export interface PlayoutMessage {
  seq: number
  pcm: Float32Array
}

/** From the worklet, about once a second. */
export type PlayoutReport = PlayoutStats
