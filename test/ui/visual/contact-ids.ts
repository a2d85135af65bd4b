// Stands in for test/helpers/contact-ids.ts in the visual-check build only: the page has neither
// Node's Buffer nor the native sodium build, so the scenes' IDs are the real ones (computed once with
// test/helpers/contact-ids.ts) looked up by name.
import { CairnError } from '../../../core/api/errors'
import type { ContactId } from '../../../core/api/types'

const IDS: Record<string, ContactId> = {
  'Ada Lovelace': 'htkqferx9dmj6js85smqfjhd183yyht99r1bboguwy6pu6xefdccscoz',
  'Grace Hopper': 'fyxxhszzps14g8y9j4iwx7qpwu61fj9yszdrm8cz5reh6wmnii4xxjb5',
  'Alan Turing': 'xqy3zrfh7rifmiqg7us3wfj65xebgm87fzjemth9yy8t6hydj3pt6w79',
  'Katherine Johnson': 'iotmogzuwcptaf4qketk9qaszu7msqyc6imk5unuf5qttfbtaadibkc4',
  'Edsger Dijkstra': 'apqui1irq5pekp97x4i6hkz8br78zt35xc7jkuimokk43m4ikih8h17q',
  Mallory: '4h8knwp9c7zjbu5drcbhqsnfnjxikn4eudncfa85mdorkcsf39s68n1w'
}

export function fakeId(seed: string): ContactId {
  const id = IDS[seed]
  if (!id) throw new Error(`the visual check has no ID for ${seed}`)
  return id
}

export function checkId(id: string): void {
  if (!Object.values(IDS).includes(id.trim())) {
    throw new CairnError('invalid-contact-id', 'contact ID checksum does not match: a character is wrong (typo?)')
  }
}

/** Grace Hopper's and Ada Lovelace's, shown for every contact. */
export function safetyNumberOf(_a: ContactId, _b: ContactId): string {
  return '10611 86298 51320 49092 87875 12314 25409 17188 07443 69091 01692 28958'
}
