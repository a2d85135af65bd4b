// The home node: a user's own always-on box (a Raspberry Pi, a NAS, a small server) that keeps and
// serves their ciphertext logs, prekeys and sealed contact requests, and reads nothing.
//
// Why not Holepunch's blind-peer / blind-peering. Read at github HEAD (blind-peer 3.13.3) and
// installed from the registry here (blind-peer 3.8.1, blind-peering 2.0.1, 113 packages, loads on
// Node 20). What decided against them:
//  - Metadata (property 8). blind-peer announces every kept core on the DHT under the core's
//    discovery key, all under the blind peer's one key (`swarm.join(core.discoveryKey, { server })`).
//    A DHT observer then sees one key announcing every conversation log of a person: all of their
//    conversations are linked together and to their box. Cairn announces no log's discovery key
//    anywhere; its logs travel only on connections between keys that link to nothing.
//  - Strangers. Any peer may `add-core`: an untrusted key only loses the announce flag, the core is
//    still fetched and kept until the global GC, and any peer that connects gets the whole corestore
//    replicated (`store.replicate(conn)`). Cairn needs "nothing kept for strangers" and a firewall
//    that admits only paired devices, and contacts only for that person's logs.
//  - Budget. One global `maxBytes` with GC by priority; no per-profile quota, no expiry rule tied to
//    acknowledgements, no pairing (trust is a static list of keys), no unlink.
//  - Dependencies. It pulls hyperdht 6.34 (same-host connections left half-open here, see MACHINE.md),
//    a second hypercore (11.39) beside our 11.37.1 pin, autobase, hyperdb, rocksdb-native and a remote
//    REPL server (repl-swarm).
// So the same idea — a node that keeps Hypercores available without being able to read them — is
// built here on Cairn's own pieces: a Hyperswarm server on the box key (dialled by key, never looked
// up by a log's topic), Protomux, compact-encoding, corestore and Hyperbee.
//
// Roles (./box-session.ts): a paired device owns one profile; a contact its owner granted may
// replicate exactly the granted logs; a stranger may pair with a one-time code, fetch a published
// bundle and leave a sealed request; a revoked device is told so. The box holds: core keys of kept
// logs and their signed ciphertext blocks, random profile ids, link keys (./link.ts: derived for
// this box, never the identity key), contacts' pair keys (link to nothing), a bundle sealed under a
// key derived from the owner's identity (./sealed.ts), and requests sealed to the owner. A thief of
// the disk learns which logs it kept and their sizes, and can confirm a guessed contact ID against a
// published inbox topic; no message text, name or contact ID is on it.
export { HomeBox, type BoxEvent, type BoxOptions, type BoxStatus } from './box'
export { HomeClient, type ClientOptions } from './client'
export { createBoxKey, loadBoxKey, boxLayout } from './box-key'
export { HomeError, type HomeErrorCode } from './errors'
export { decodePairingCode, encodePairingCode, type PairingCode } from './pairing-code'
export { linkKeyPair, newLinkSalt, encodeLink, decodeLink, type HomeLink } from './link'
export { sealBundle, openBundle, sealRequest, openRequest } from './sealed'
export { visitingKeyPair, visitorKey } from './guest-key'
export { encodeIntroduction, decodeIntroduction, type Introduction } from './introduction'
export { DEFAULT_QUOTA_BYTES, DEFAULT_EXPIRE_DAYS, type ProfileRules } from './registry'
export type { ProfileStatus, SealedItem } from './wire'
