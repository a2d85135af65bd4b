// The one minimum-strength rule for a new passphrase (profile, changed, or backup), judged on the
// estimate of the maintained zxcvbn estimator (@zxcvbn-ts) rather than on length and character
// classes. The contract holds the rule; the host (core/host/passphrase-strength.ts), which enforces
// it for every shell, and the renderer (renderer/src/lib/strength.ts), which shows it while typing,
// each run the estimator with the same dictionaries and judge its estimate here.

/** zxcvbn's score 3: about 10^8 guesses or more, "safely unguessable" against online and throttled offline attacks. */
export const MIN_PASSPHRASE_SCORE = 3

/** The part of a zxcvbn result the rule reads. */
export interface PassphraseEstimate {
  score: number
  feedback: { warning: string | null; suggestions: string[] }
}

export interface PassphraseStrength {
  /** 0 (trivial) to 4 (strong), zxcvbn's scale. */
  score: 0 | 1 | 2 | 3 | 4
  acceptable: boolean
  /** One line for the user: what is wrong, or how strong it is. */
  label: string
}

export function judgePassphrase(estimate: PassphraseEstimate): PassphraseStrength {
  const score = Math.max(0, Math.min(4, Math.trunc(estimate.score))) as PassphraseStrength['score']
  const acceptable = score >= MIN_PASSPHRASE_SCORE
  const advice = [estimate.feedback.warning, ...estimate.feedback.suggestions].filter((s): s is string => !!s).join(' ')
  const verdict = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'][score]
  const label = acceptable ? verdict : `${verdict} — ${advice || 'add a few more unrelated words.'}`
  return { score, acceptable, label }
}
