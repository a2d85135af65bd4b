import { decodeBundle, type PrekeyBundle } from '../ratchet'

// Bundles of people who are no contact of mine, learned from group channels; each is ~110 bytes.
const MAX_LEARNED = 4096

/**
 * Signed prekey bundles of group members: my contacts' from their records, everyone else's as other
 * members passed them on (each is checked against the identity it is filed under before it is kept).
 */
export class BundleBook {
  private readonly learned = new Map<string, Buffer>()

  constructor(
    private readonly me: Buffer,
    private readonly mine: () => Buffer,
    private readonly contactBundle: (identity: Buffer) => Buffer | null
  ) {}

  bytes(identity: Buffer): Buffer | null {
    if (identity.equals(this.me)) return this.mine()
    return this.contactBundle(identity) ?? this.learned.get(identity.toString('hex')) ?? null
  }

  get(identity: Buffer): PrekeyBundle | null {
    const bytes = this.bytes(identity)
    if (!bytes) return null
    try {
      return decodeBundle(bytes, identity)
    } catch {
      return null
    }
  }

  /** Keeps a bundle passed on by a member when it is new and signed by `identity`; true when kept. */
  learn(identity: Buffer, bundle: Buffer): boolean {
    const key = identity.toString('hex')
    if (identity.equals(this.me) || this.learned.get(key)?.equals(bundle) || this.contactBundle(identity)?.equals(bundle)) return false
    try {
      decodeBundle(bundle, identity)
    } catch {
      return false
    }
    this.learned.delete(key)
    this.learned.set(key, Buffer.from(bundle))
    for (const old of this.learned.keys()) {
      if (this.learned.size <= MAX_LEARNED) break
      this.learned.delete(old)
    }
    return true
  }
}
