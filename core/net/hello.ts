// The hello each end of a contact's connection sends as the control channel's handshake: its identity
// key's signature over this connection's Noise handshake hash and its own Noise key. A pair connection
// is authenticated by per-pair, per-day keys that link to nothing; the hello binds that key to the
// contact's identity, and it is checked before the control channel opens, so before anything is
// replicated. The handshake hash is fresh per connection, so a hello cannot be replayed on another.
import { SIGNATURE_BYTES, sign, verify } from '../crypto'
import { PAIR_HELLO } from '../protocol/caps'

/** What of the connection a hello covers. */
export interface HelloStream {
  readonly handshakeHash: Buffer
  readonly publicKey: Buffer
  readonly remotePublicKey: Buffer
}

export function signHello(identitySecretKey: Uint8Array, stream: HelloStream): Buffer {
  return sign(Buffer.concat([PAIR_HELLO, stream.handshakeHash, stream.publicKey]), identitySecretKey)
}

/** True when the remote's hello is its identity key's signature over this connection and its Noise key. */
export function verifyHello(hello: unknown, identityPublicKey: Uint8Array, stream: HelloStream): boolean {
  if (!(hello instanceof Uint8Array) || hello.byteLength !== SIGNATURE_BYTES) return false
  return verify(hello, Buffer.concat([PAIR_HELLO, stream.handshakeHash, stream.remotePublicKey]), identityPublicKey)
}
