// Rendezvous topics. A pair's topic comes from the X25519 shared secret of the two identities, so a
// DHT observer who knows both public keys still cannot tell that they meet; an inbox topic comes from
// one public key, because a stranger must be able to find it.
import sodium from 'sodium-native'
import type { KeyPair } from 'hyperdht'

const PAIR_TAG = Buffer.from('cairn/net/pair-topic/v1')
const INBOX_TAG = Buffer.from('cairn/net/inbox-topic/v1')

function tagged(tag: Buffer, data: Uint8Array): Buffer {
  const out = Buffer.alloc(32)
  sodium.crypto_generichash(out, Buffer.concat([tag, data]))
  return out
}

function sharedSecret(me: KeyPair, them: Uint8Array): Buffer {
  const mySecret = Buffer.alloc(32)
  const theirPublic = Buffer.alloc(32)
  const shared = Buffer.alloc(32)
  sodium.crypto_sign_ed25519_sk_to_curve25519(mySecret, me.secretKey)
  sodium.crypto_sign_ed25519_pk_to_curve25519(theirPublic, them)
  sodium.crypto_scalarmult(shared, mySecret, theirPublic)
  sodium.sodium_memzero(mySecret)
  return shared
}

export function pairTopic(me: KeyPair, them: Uint8Array): Buffer {
  const secret = sharedSecret(me, them)
  const topic = tagged(PAIR_TAG, secret)
  sodium.sodium_memzero(secret)
  return topic
}

export function inboxTopic(publicKey: Uint8Array): Buffer {
  return tagged(INBOX_TAG, publicKey)
}
