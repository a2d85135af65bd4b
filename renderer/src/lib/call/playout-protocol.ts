// Messages from the page to the playout worklet; shared by both sides, kept apart from the worklet
// module because that one registers a processor when loaded and only runs in the audio thread.
export const PLAYOUT_PROCESSOR = 'cairn-playout'

export type PlayoutMessage = { pcm: Float32Array } | { conceal: number }
