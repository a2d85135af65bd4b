// VP8 frames from the network → VideoDecoder → a canvas. After a gap in the sequence, delta frames
// cannot be decoded correctly, so they are skipped until the next keyframe and one is asked for,
// again every KEYFRAME_RETRY_MS while delta frames keep coming (the keyframe sent can be lost too).
import type { EncodedMediaFrame } from './types'

/** About a round trip and a keyframe's sending on a slow path: sooner would only repeat the ask. */
export const KEYFRAME_RETRY_MS = 300

export interface VideoReceiver {
  receive(frame: EncodedMediaFrame): void
  readonly decoded: number
  readonly size: { width: number; height: number }
  stop(): void
}

export function startVideoReceive(canvas: HTMLCanvasElement, requestKeyframe: () => void): VideoReceiver {
  const ctx = canvas.getContext('2d')
  let next = -1
  let waitingForKey = true
  let decoded = 0
  let askedAt = -Infinity
  const ask = () => {
    askedAt = performance.now()
    requestKeyframe()
  }
  const size = { width: 0, height: 0 }
  const decoder = new VideoDecoder({
    output: (frame) => {
      decoded++
      size.width = frame.displayWidth
      size.height = frame.displayHeight
      if (canvas.width !== frame.displayWidth) canvas.width = frame.displayWidth
      if (canvas.height !== frame.displayHeight) canvas.height = frame.displayHeight
      ctx?.drawImage(frame, 0, 0)
      frame.close()
    },
    error: () => {
      waitingForKey = true
    }
  })
  decoder.configure({ codec: 'vp8', optimizeForLatency: true })
  return {
    receive(frame) {
      if (frame.seq < next) return
      if (next >= 0 && frame.seq !== next && !frame.keyframe) {
        if (!waitingForKey) ask()
        waitingForKey = true
      }
      // the keyframe asked for can be lost too: ask again while frames come and none is one
      if (waitingForKey && !frame.keyframe && performance.now() - askedAt >= KEYFRAME_RETRY_MS) ask()
      next = frame.seq + 1
      if (waitingForKey && !frame.keyframe) return
      waitingForKey = false
      if (decoder.state !== 'configured') return
      decoder.decode(new EncodedVideoChunk({ type: frame.keyframe ? 'key' : 'delta', timestamp: frame.timestampUs, data: frame.data }))
    },
    get decoded() {
      return decoded
    },
    size,
    stop: () => {
      if (decoder.state !== 'closed') decoder.close()
    }
  }
}
