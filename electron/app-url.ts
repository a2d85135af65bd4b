// The renderer is loaded from a privileged custom scheme rather than file:// so that its origin is
// unique to the app and every IPC sender can be checked against it.
export const APP_SCHEME = 'cairn'
export const APP_HOST = 'app'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY = `${APP_ORIGIN}/index.html`

/** True only for a document served by the app itself. */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false
  try {
    const parsed = new URL(url)
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST
  } catch {
    return false
  }
}
