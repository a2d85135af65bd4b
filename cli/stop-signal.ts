// A long-running command (`run`, `serve`, `home run`) stops cleanly on SIGINT or SIGTERM, or when its
// own code asks (a control socket's `stop`); the handlers come off once it stops, so a second signal
// during the shutdown takes node's default and ends the process.
export function stopSignal(): { stopped: Promise<void>; trigger(): void } {
  let trigger = () => {}
  const stopped = new Promise<void>((resolve) => {
    trigger = () => {
      process.off('SIGINT', trigger)
      process.off('SIGTERM', trigger)
      resolve()
    }
    process.on('SIGINT', trigger)
    process.on('SIGTERM', trigger)
  })
  return { stopped, trigger }
}
