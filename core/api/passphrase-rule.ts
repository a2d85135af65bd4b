// The one minimum-strength rule for a new passphrase (profile, changed, or backup), judged by the
// maintained zxcvbn estimator rather than by length and character classes. The same module runs in
// the core (which enforces it for every shell) and in the renderer (which shows it while typing).
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import * as en from '@zxcvbn-ts/language-en'

/** zxcvbn's score 3: about 10^8 guesses or more, "safely unguessable" against online and throttled offline attacks. */
export const MIN_PASSPHRASE_SCORE = 3

export interface PassphraseStrength {
  /** 0 (trivial) to 4 (strong), zxcvbn's scale. */
  score: 0 | 1 | 2 | 3 | 4
  acceptable: boolean
  /** One line for the user: what is wrong, or how strong it is. */
  label: string
}

let estimator: ZxcvbnFactory | null = null

function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations
  })
  return estimator
}

export function passphraseStrength(passphrase: string): PassphraseStrength {
  const result = zxcvbn().check(passphrase)
  const score = result.score as PassphraseStrength['score']
  const acceptable = score >= MIN_PASSPHRASE_SCORE
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter((s): s is string => !!s).join(' ')
  const verdict = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'][score]
  const label = acceptable ? verdict : `${verdict} — ${advice || 'add a few more unrelated words.'}`
  return { score, acceptable, label }
}
