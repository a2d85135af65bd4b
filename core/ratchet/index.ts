// Cairn's session protocol: an X3DH-style start, then the Double Ratchet as Signal specifies it
// (https://signal.org/docs/specifications/doubleratchet/, https://signal.org/docs/specifications/x3dh/).
//
// Primitives: X25519 for every DH; KDF_RK = HKDF-SHA256 and KDF_CK = keyed BLAKE2b (./kdf.ts);
// XChaCha20-Poly1305 with a random 24-byte nonce per message and AD = sender identity ‖ receiver
// identity ‖ envelope header (./envelope.ts). Skipped message keys: at most MAX_SKIP per chain and
// MAX_STORED_SKIPPED in all, the oldest evicted; they expire SKIPPED_KEY_CHAINS ratchet steps later. Used keys are zeroed.
//
// Starting a session. With the contact's signed prekey bundle (the normal case), the initiator
// computes DH(IK_A, SPK_B) ‖ DH(EK_A, IK_B) ‖ DH(EK_A, SPK_B) as in X3DH (identity keys are the
// Ed25519 identities in their X25519 form). When the contact's home node hands out one of their
// one-time prekeys (./one-time.ts), DH4 = DH(EK_A, OPK_B) is added and the start header names it;
// the responder deletes that secret once the session is committed, so the first messages keep
// forward secrecy against a later theft of IK_B and SPK_B, and a replayed first envelope is refused
// (its one-time prekey is gone). Without one (the supply ran out, or no home node) the start is as
// before. Until the contact replies, every envelope repeats the start header (EK_A, prekey id
// [, one-time prekey id]), as Signal's PreKeySignalMessage does, so whichever arrives first can
// open the session.
//
// No session starts without a bundle any more: the messenger keeps what is written before the bundle
// is known in its encrypted outbox and encrypts it once the bundle arrives. respond() still accepts
// the static-static start of earlier releases (prekey id 0: the responder's identity key stood in
// for the signed prekey, SK = DH(IK_A, IK_B) ‖ DH(EK_A, IK_B)), so envelopes they wrote still open
// and their sessions go on. That start was weaker until the first reply:
//  - no forward secrecy for those first messages against theft of B's identity key: whoever later
//    holds IK_B's secret can recompute SK from the captured envelope and read them;
//  - a replayed initial envelope is accepted again by respond() (as with X3DH without one-time
//    prekeys; the same holds for a start from a signed prekey without a one-time prekey); callers
//    deduplicate by session id and log position;
//  - the session is not tied to a fresh key of B's until B answers;
//  - as in X3DH, whoever steals IK_B can impersonate anyone to B (key-compromise impersonation).
// As soon as B replies, the DH ratchet mixes in fresh ephemeral keys from both sides and these
// weaknesses no longer apply to later messages (the tests check this).
export { Session, MAX_PLAINTEXT_BYTES } from './session'
export { RatchetError, type RatchetErrorCode } from './errors'
export { inspectEnvelope, MAX_ENVELOPE_BYTES } from './envelope'
export {
  generateSignedPrekey,
  encodeSignedPrekey,
  decodeSignedPrekey,
  bundleOf,
  encodeBundle,
  decodeBundle,
  type SignedPrekey,
  type PrekeyBundle
} from './prekey'
export {
  generateOneTimePrekeys,
  publishOneTimePrekey,
  encodeOneTimePrekey,
  decodeOneTimePrekey,
  encodePublishedOneTimePrekey,
  decodePublishedOneTimePrekey,
  PUBLISHED_ONE_TIME_PREKEY_BYTES,
  type OneTimePrekey,
  type PublishedOneTimePrekey
} from './one-time'
export { MAX_SKIP, MAX_STORED_SKIPPED, SKIPPED_KEY_CHAINS } from './state'
