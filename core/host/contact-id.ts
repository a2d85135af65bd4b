// What a shell may do with a contact ID without an open profile: check one a person typed and put
// it in its canonical form. Shells reach identity code through here, never directly.
import type { ContactId } from '../api/types'
import { cryptoReady } from '../crypto'
import { decodeContactId, encodeContactId } from '../identity'

/** A contact ID typed by a person, checked and put in its one canonical form. */
export async function parseContactId(text: string): Promise<ContactId> {
  await cryptoReady()
  return encodeContactId(decodeContactId(text))
}
