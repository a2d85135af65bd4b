// The ring of an incoming call: two tones together (440 and 480 Hz) for one second in every three,
// made with Web Audio so no sound file ships. A page that never had a user gesture may keep its
// AudioContext suspended (the browser's autoplay rule); the incoming-call screen and the desktop
// notification still show the call then.
export interface Ringtone {
  stop(): void
}

const ON_S = 1
const PERIOD_MS = 3000
const LEVEL = 0.15

export function startRingtone(context = new AudioContext()): Ringtone {
  const gain = context.createGain()
  gain.gain.value = 0
  gain.connect(context.destination)
  const tones = [440, 480].map((hz) => {
    const osc = context.createOscillator()
    osc.frequency.value = hz
    osc.connect(gain)
    osc.start()
    return osc
  })
  const ring = () => {
    const t = context.currentTime
    gain.gain.setValueAtTime(LEVEL, t)
    gain.gain.setValueAtTime(0, t + ON_S)
  }
  ring()
  const timer = setInterval(ring, PERIOD_MS)
  return {
    stop: () => {
      clearInterval(timer)
      for (const osc of tones) osc.stop()
      void context.close().catch(() => {})
    }
  }
}
