// The web shell's one frame outside the API protocol: the page proves it was opened from the URL the
// shell printed (the token travels in the URL fragment, which browsers never send to a server) before
// any API frame is accepted.

/** Path of the API WebSocket on the shell's own origin. */
export const API_PATH = '/api'

/** First message on the socket, from the page. */
export interface AuthRequest {
  kind: 'auth'
  token: string
}

/** The shell's answer when the token matched; a wrong token gets a closed socket instead. */
export interface AuthAccepted {
  kind: 'auth-ok'
}

/** WebSocket close code of a refusal (wrong token, no token in time, too many requests in flight). */
export const POLICY_VIOLATION = 1008
