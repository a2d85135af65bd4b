export interface Strength {
  /** 0 (unusable) to 4 (strong). */
  score: 0 | 1 | 2 | 3 | 4
  label: string
}

export const MIN_PASSPHRASE = 8

/**
 * A rough hint, not a guarantee: length dominates, variety helps a little, and obvious repetition
 * is penalised. Argon2id makes every guess slow; this only steers people away from short secrets.
 */
export function passphraseStrength(passphrase: string): Strength {
  if (passphrase.length < MIN_PASSPHRASE) return { score: 0, label: `Too short — use at least ${MIN_PASSPHRASE} characters` }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(passphrase)).length
  const unique = new Set(passphrase).size
  let points = passphrase.length >= 20 ? 3 : passphrase.length >= 14 ? 2 : 1
  if (classes >= 3) points++
  if (unique < passphrase.length / 3) points = Math.max(1, points - 2)
  const score = Math.min(4, points) as 1 | 2 | 3 | 4
  const label = ['', 'Weak — a few more words would help', 'Fair', 'Good', 'Strong'][score]
  return { score, label }
}
