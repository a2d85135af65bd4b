// Text prefixes users see and paste. Plain strings only (no Buffer): the API contract and the renderer
// import this file, and they run where Node's globals do not exist.

/** Start of a one-time invite code. */
export const INVITE_PREFIX = 'cairn-invite:'
