// The web shell's one frame outside the API protocol. The URL the shell prints carries a single-use
// code (in the fragment, which browsers never send to a server): the page trades it, once and within
// a minute, for a session credential of its own, which it keeps for its tab and presents on every
// later connection. So a URL read from a process list, a log or a shell history is worthless once the
// page has loaded, and a page left open re-enters a restarted shell of the same profile.

/** Path of the API WebSocket on the shell's own origin. */
export const API_PATH = '/api'

/** The URL fragment's parameter that carries the single-use code. */
export const CODE_PARAM = 'code'

/** First message on the socket, from the page: the code from the URL, or the credential it got for one. */
export type AuthRequest = { kind: 'auth'; code: string } | { kind: 'auth'; session: string }

/** The shell's answer when the code or credential was good: the credential to present from now on. */
export interface AuthAccepted {
  kind: 'auth-ok'
  session: string
}

/** Both codes and credentials: 32 random bytes in URL-safe base64. */
export const CREDENTIAL_PATTERN = /^[A-Za-z0-9_-]{43}$/

/**
 * WebSocket close code of a refusal (unknown, used or expired code or credential, nothing presented in
 * time, too many requests in flight).
 */
export const POLICY_VIOLATION = 1008

/**
 * Methods a web shell page may not call: each names a path on the node's disk, which would let
 * whoever holds a page's credential send any file the node can read, or write where it can write.
 * The page uploads (beginUpload/uploadPiece/sendUpload) and downloads (readFile) instead; Electron
 * and the CLI keep them.
 */
export const WEB_SHELL_REFUSED: readonly string[] = ['sendFile', 'saveFile']
