const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const

/**
 * Calls `onidle` once after `ms` without keyboard, pointer or touch input in this window; returns
 * the way to stop watching. The deadline is checked against the clock, since a background tab's
 * timers may fire late.
 */
export function watchIdle(ms: number, onidle: () => void): () => void {
  let last = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const active = () => {
    last = Date.now()
  }
  const check = () => {
    const left = last + ms - Date.now()
    if (left > 0) {
      timer = setTimeout(check, left)
      return
    }
    stop()
    onidle()
  }
  function stop() {
    clearTimeout(timer)
    for (const type of ACTIVITY) window.removeEventListener(type, active, true)
  }
  for (const type of ACTIVITY) window.addEventListener(type, active, { capture: true, passive: true })
  timer = setTimeout(check, ms)
  return stop
}
