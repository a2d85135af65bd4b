/** The libsodium operations Cairn needs, implemented once per sodium build (native addon or wasm). */
export interface CryptoBackend {
  readonly name: BackendName
  ready(): Promise<void>
  randomBytes(n: number): Buffer
  x25519Public(secretKey: Uint8Array): Buffer
  /** null when the result is all zero: the peer's key is a low-order point. */
  x25519(secretKey: Uint8Array, publicKey: Uint8Array): Buffer | null
  ed25519KeyPair(seed?: Uint8Array): { publicKey: Buffer; secretKey: Buffer }
  sign(message: Uint8Array, secretKey: Uint8Array): Buffer
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
  isEd25519Point(publicKey: Uint8Array): boolean
  /** null when the key is not a valid Ed25519 point. */
  ed25519PublicToX25519(publicKey: Uint8Array): Buffer | null
  ed25519SecretToX25519(secretKey: Uint8Array): Buffer
  sha256(data: Uint8Array): Buffer
  blake2b(outputLength: number, data: Uint8Array, key?: Uint8Array): Buffer
  /** Incremental BLAKE2b, for data too large to hold at once. */
  blake2bStream(outputLength: number): HashStream
  /** Ciphertext written into `out` (length = plaintext + 16). */
  aeadSealInto(out: Uint8Array, plaintext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): void
  /** null when the ciphertext does not authenticate. */
  aeadOpen(ciphertext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Buffer | null
  argon2id(outputLength: number, password: Uint8Array, salt: Uint8Array, opslimit: number, memlimit: number): Promise<Buffer>
  memzero(buf: Uint8Array): void
}

export interface HashStream {
  update(data: Uint8Array): void
  /** The digest; the stream cannot be updated afterwards. */
  digest(): Buffer
}

export type BackendName = 'native' | 'wasm'
