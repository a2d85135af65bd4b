// One Content-Security-Policy for every shell: only the app's own files, no inline script or style,
// no remote origins. `connectSrc` names the single extra endpoint a shell needs (the web shell's
// API socket); Electron's renderer talks over IPC and needs none. Files shown in place are blob:
// URLs the page made itself from bytes it read through the API, or (Electron) the app scheme's own
// file route, so they name nothing remote.
export function contentSecurityPolicy(connectSrc?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src ${connectSrc ?? "'none'"}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'"
  ].join('; ')
}

/** Headers every shell response carries alongside the CSP. */
export const HARDENING_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // Camera and microphone for calls, to the app's own origin only; the page asks only when a call starts or is accepted.
  'Permissions-Policy': 'camera=(self), microphone=(self), geolocation=(), usb=(), payment=()'
}
