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
