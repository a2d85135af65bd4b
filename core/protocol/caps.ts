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
/** One side's pair topic: BLAKE2b-256(key = tag, topic secret ‖ announcer's public key). */
export const PAIR_TOPIC = Buffer.from('cairn/net/pair-topic/v1')
/** An inbox topic: BLAKE2b-256(key = tag, public key). */
export const INBOX_TOPIC = Buffer.from('cairn/net/inbox-topic/v1')
/** What a signed prekey's signature covers: tag ‖ id u32 LE ‖ public key. */
export const SIGNED_PREKEY = Buffer.from('cairn/signed-prekey/v1')
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

/** What a group log block's signature covers: tag ‖ every byte of the block before the signature. */
export const GROUP_ENTRY = Buffer.from('cairn/group/entry/v1')
/** A group's id: BLAKE2b-256(key = tag, creator's identity ‖ nonce of the create operation). */
export const GROUP_ID = Buffer.from('cairn/group/id/v1')
/** A group's topic for one period: BLAKE2b-256(key = tag, group secret ‖ period u32 LE). */
export const GROUP_TOPIC = Buffer.from('cairn/group/topic/v1')

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
