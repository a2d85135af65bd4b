// Whether this machine keeps up with encoding the camera at its size: the job of WebRTC's CPU
// overuse detector, which a WebCodecs pipeline does not have. A machine that cannot encode 720p in
// time does not send a worse 720p: its encoder queue fills and frames are dropped, and the same
// starved page plays the call's audio late or not at all (measured: a video call between two
// apps on one 2-core machine heard its tone in 2-5 of 20 s at 1280×720 and in 20 of 20 at 640×360).
// So the sender steps its capture size down while it cannot keep up, and back up after a long
// stretch of ease, waiting longer each time a step up had to be taken back.
//
// The signal is each frame's time from encode() to its output, which counts the page's own delays
// as well as the encoder's, and the frames dropped because the encoder queue was full, per second:
// a second is over its budget when more than a tenth of its frames were dropped or its median time
// took more than 85 % of a frame's interval (WebRTC's default high threshold), and easy when
// nothing was dropped and the median stayed under 35 %. Two busy seconds in a row step down, two
// steps at once when the machine is far behind (half the frames dropped, or a median over twice the
// interval: 720p on a starved machine would otherwise take six seconds to reach a size it keeps up
// with); the second after a step is not judged (the reconfigured encoder's keyframe is slow by nature).

/** Capture size as a share of the camera's own, from the top level down. */
export const SCALES = [1, 0.75, 0.5, 0.375, 0.25] as const

const WINDOW_MS = 1000
const MIN_EVENTS = 5
const BUSY_SHARE = 0.85
const EASY_SHARE = 0.35
const DROPPED_SHARE = 0.1
const FAR_BEHIND_SHARE = 2
const FAR_BEHIND_DROPPED = 0.5
const BUSY_WINDOWS = 2
const FIRST_EASY_WINDOWS = 10
const MAX_EASY_WINDOWS = 160
/** A step up taken back within this many windows makes the next step up wait twice as long. */
const FAILED_UP_WINDOWS = 10

export class EncodeLoad {
  /** Index into SCALES: 0 is the camera's own size. */
  level = 0
  private windowStart = -1
  private times: number[] = []
  private dropped = 0
  private busy = 0
  private easy = 0
  private easyNeeded = FIRST_EASY_WINDOWS
  private settling = false
  private sinceUp = Infinity

  constructor(private readonly frameMs: number) {}

  encoded(ms: number, now: number): -1 | 0 | 1 {
    this.times.push(ms)
    return this.tick(now)
  }

  droppedFrame(now: number): -1 | 0 | 1 {
    this.dropped++
    return this.tick(now)
  }

  /** Ends the window when it is due and says which way to move: 1 smaller, -1 larger, 0 stay. */
  private tick(now: number): -1 | 0 | 1 {
    if (this.windowStart < 0) this.windowStart = now
    if (now - this.windowStart < WINDOW_MS) return 0
    const events = this.times.length + this.dropped
    const verdict = events < MIN_EVENTS || this.settling ? null : this.judge(events)
    this.windowStart = now
    this.times = []
    this.dropped = 0
    this.settling = false
    this.sinceUp++
    if (verdict === null) return 0
    this.busy = verdict === 'busy' || verdict === 'far behind' ? this.busy + 1 : 0
    this.easy = verdict === 'easy' ? this.easy + 1 : 0
    const smallest = SCALES.length - 1
    if (this.busy >= BUSY_WINDOWS && this.level < smallest) return this.step(verdict === 'far behind' ? Math.min(2, smallest - this.level) : 1)
    if (this.easy >= this.easyNeeded && this.level > 0) return this.step(-1)
    return 0
  }

  private judge(events: number): 'far behind' | 'busy' | 'easy' | 'fine' {
    const sorted = [...this.times].sort((a, b) => a - b)
    const median = sorted.length > 0 ? sorted[sorted.length >> 1] : Infinity
    if (this.dropped > FAR_BEHIND_DROPPED * events || median > FAR_BEHIND_SHARE * this.frameMs) return 'far behind'
    if (this.dropped > DROPPED_SHARE * events || median > BUSY_SHARE * this.frameMs) return 'busy'
    if (this.dropped === 0 && median < EASY_SHARE * this.frameMs) return 'easy'
    return 'fine'
  }

  private step(levels: number): -1 | 1 {
    if (levels > 0 && this.sinceUp <= FAILED_UP_WINDOWS) this.easyNeeded = Math.min(2 * this.easyNeeded, MAX_EASY_WINDOWS)
    if (levels < 0) this.sinceUp = 0
    this.level += levels
    this.busy = 0
    this.easy = 0
    this.settling = true
    return levels > 0 ? 1 : -1
  }
}
