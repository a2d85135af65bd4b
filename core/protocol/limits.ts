// The sizes the protocol allows, owned here so every layer that checks one (the codecs, the
// messenger, the API's argument validation, the UI) uses the protocol's number and none defines its
// own. Plain numbers only: the API contract and the renderer import this file.

/** Bytes of UTF-8 in one message's text. */
export const MAX_TEXT_BYTES = 64 * 1024
/** Characters of a display name, as announced to contacts. */
export const MAX_NAME_CHARS = 64
/** Bytes of one ratchet envelope, so a hostile peer cannot make us allocate or authenticate megabytes. */
export const MAX_ENVELOPE_BYTES = 64 * 1024
/** Bytes of one control frame. */
export const MAX_FRAME_BYTES = 4096
/** Bytes of a prekey bundle inside a control frame. */
export const MAX_BUNDLE_BYTES = 1024
/** Bytes of one block of a member's group log (a sender key sealed to every member fits). */
export const MAX_GROUP_BLOCK_BYTES = 128 * 1024
/** Members of one group, and so recipients of one sender key block and heads of one block. */
export const MAX_GROUP_MEMBERS = 256
/** Bytes of UTF-8 in a group's name. */
export const MAX_GROUP_NAME_BYTES = 128
/** Bytes of one piece of an upload through the API, and of one readFile() answer (base64 on the wire). */
export const MAX_UPLOAD_PIECE_BYTES = 256 * 1024
export const MAX_FILE_READ_BYTES = 256 * 1024
/** Largest file a node sends or accepts by default. */
export const MAX_FILE_BYTES_DEFAULT = 2 * 1024 * 1024 * 1024
/** Disappearing-message choices, seconds: off, 5 minutes, 1 hour, 8 hours, 1 day, 1 week, 4 weeks. */
export const DISAPPEARING_SECONDS: readonly number[] = [0, 300, 3600, 28_800, 86_400, 604_800, 2_419_200]

/** A send's client id (see CairnApi.send): printable ASCII, at most this many characters. */
export const MAX_CLIENT_ID_CHARS = 64
/** Client ids are remembered this long, and at most the last CLIENT_IDS_KEPT per contact. */
export const CLIENT_ID_DAYS = 7
export const CLIENT_IDS_KEPT = 10_000
