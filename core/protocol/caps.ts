// Every domain-separation tag and namespace of Cairn's formats, in one place (as hypercore keeps its
// namespaces in lib/caps.js). A hash or signature made for one purpose must never verify or collide
// with one made for another, so each purpose has its own tag. The bytes are part of the formats:
// changing one breaks every profile, contact ID and session made before, so a new purpose gets a new
// tag and an old tag is never edited.

/** Contact ID checksum: BLAKE2b-128(key = tag, public key), first 3 bytes. */
export const CONTACT_ID_CHECKSUM = Buffer.from('cairn/contact-id/v1')
/** Safety number: BLAKE2b-256(tag ‖ public key), then iterated. */
export const SAFETY_NUMBER = Buffer.from('cairn/safety-number/v1')
/** A pair's topic secret: BLAKE2b-256(key = tag, X25519 of the two identities). */
export const PAIR_TOPIC_SECRET = Buffer.from('cairn/pair-topic/v1')
/** One side's seed for one day: BLAKE2b-256(key = tag, topic secret ‖ announcer's public key ‖ day u32 LE). */
export const PAIR_DAY = Buffer.from('cairn/net/pair-day/v1')
/** That side's Noise key pair for the day: Ed25519 from seed BLAKE2b-256(key = tag, day seed). */
export const PAIR_KEY = Buffer.from('cairn/net/pair-key/v1')
/** That side's topic for the day: BLAKE2b-256(key = tag, day seed). */
export const PAIR_TOPIC = Buffer.from('cairn/net/pair-topic/v2')
/** An invite's short-lived inbox key pair: Ed25519 from seed BLAKE2b-256(key = tag, invite secret). */
export const INVITE_KEY = Buffer.from('cairn/net/invite-key/v1')
/** An invite code's checksum: BLAKE2b-128(key = tag, body), first 3 bytes. */
export const INVITE_CHECKSUM = Buffer.from('cairn/invite-code/v1')
export { INVITE_PREFIX } from './prefixes'
/** What a connection's hello signature covers: tag ‖ Noise handshake hash ‖ signer's Noise public key. */
export const PAIR_HELLO = Buffer.from('cairn/net/pair-hello/v1')
/** An inbox topic: BLAKE2b-256(key = tag, public key). */
export const INBOX_TOPIC = Buffer.from('cairn/net/inbox-topic/v1')
/** What a signed prekey's signature covers: tag ‖ id u32 LE ‖ public key. */
export const SIGNED_PREKEY = Buffer.from('cairn/signed-prekey/v1')
/** What a published one-time prekey's signature covers: tag ‖ id u32 LE ‖ public key. */
export const ONE_TIME_PREKEY = Buffer.from('cairn/one-time-prekey/v1')
/** HKDF info of the ratchet's root KDF. */
export const RATCHET_ROOT = Buffer.from('cairn/ratchet/root/v1')
/** HKDF info prefix of X3DH's shared secret. */
export const X3DH = Buffer.from('cairn/x3dh/v1')
/** Keyed BLAKE2b inputs of the ratchet's chain KDF. */
export const CHAIN_MESSAGE_KEY = Buffer.from([0x01])
export const CHAIN_NEXT_KEY = Buffer.from([0x02])
/** Subkeys of the keystore's storage key: BLAKE2b-256(key = storage key, tag). */
export const CORESTORE_PRIMARY = Buffer.from('cairn/corestore-primary/v1')
export const STORE_SEAL = Buffer.from('cairn/store-seal/v1')
export const STORE_TAG = Buffer.from('cairn/store-tag/v1')
/** Where a send's client id is kept in the store: the store's keyed tag of (tag ‖ client id). */
export const STORE_CLIENT_ID = Buffer.from('cairn/store/client-id/v1')
/** Key of the sealed store-epoch file: BLAKE2b-256(key = storage key, tag). */
export const STORE_EPOCH_FILE = Buffer.from('cairn/store-epoch-file/v1')
/** File signature of the store-epoch file. */
export const EPOCH_FILE_MAGIC = Buffer.from('CAIRNEP')

/** Associated data prefix of a file's sealed chunks: tag ‖ file id ‖ u64le(index) ‖ u8(final). */
export const BLOB_CHUNK = Buffer.from('cairn/blob/v1', 'utf8')
/** Corestore name prefix of my blob store for one contact (then the contact's tag, hex). */
export const BLOB_STORE_NAME = 'blobs/'
/** What a group log block's signature covers: tag ‖ every byte of the block before the signature. */
export const GROUP_ENTRY = Buffer.from('cairn/group/entry/v1')
/** A group's id: BLAKE2b-256(key = tag, creator's identity ‖ nonce of the create operation). */
export const GROUP_ID = Buffer.from('cairn/group/id/v1')
/** A group's topic for one period: BLAKE2b-256(key = tag, group secret ‖ period u32 LE). */
export const GROUP_TOPIC = Buffer.from('cairn/group/topic/v1')
/** Home node: a device's pairing proof, BLAKE2b-256(key = code secret, tag ‖ box key ‖ device key). */
export const HOME_PAIR_PROOF = Buffer.from('cairn/home/pair-proof/v1')
/** Home node: a device's link key seed, BLAKE2b-256(key = identity seed, tag ‖ box key ‖ salt). */
export const HOME_LINK_KEY = Buffer.from('cairn/home/link-key/v1')
/** Home node: a contact's visiting key for a box, BLAKE2b-256(key = topic secret, tag ‖ box key ‖ visitor). */
export const HOME_GUEST_KEY = Buffer.from('cairn/home/guest-key/v1')
/** Home node: the key a published bundle is sealed under, BLAKE2b-256(key = tag, identity key). */
export const HOME_BUNDLE_KEY = Buffer.from('cairn/home/bundle-key/v1')
/** Home node: a sealed request's key, BLAKE2b-256(key = tag, DH ‖ ephemeral ‖ owner). */
export const HOME_SEALED_REQUEST = Buffer.from('cairn/home/sealed-request/v1')

/** A call's session id while a pair has no ratchet session yet: BLAKE2b-128(key = tag, pair topic secret). */
export const CALL_PAIR_SESSION = Buffer.from('cairn/call/pair-session/v1')

/** A group message's nonce: BLAKE2b-192(key = the message key, tag); each message key seals one message. */
export const GROUP_MESSAGE_NONCE = Buffer.from('cairn/group/message-nonce/v1')

/** File signature of sealed secrets (keystore file and backup body). */
export const SEALED_MAGIC = Buffer.from('CAIRNKS')
/** Prefix of a backup's one line of text. */
export const BACKUP_PREFIX = 'cairn-backup-v1:'

/** The mDNS service a node advertises on the LAN. */
export const LAN_SERVICE = '_cairn._udp.local'

/** Protomux protocol names. */
export const CONTROL_PROTOCOL = 'cairn/control'
export const INBOX_PROTOCOL = 'cairn/inbox'
export const HOME_PROTOCOL = 'cairn/home'
/** Between members of one group on its swarm: prekey bundles and receipts (core/groups/channel.ts). */
export const GROUP_PROTOCOL = 'cairn/group'
