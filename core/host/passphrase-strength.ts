import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import * as en from '@zxcvbn-ts/language-en'
import { CairnError } from '../api/errors'
import { judgePassphrase, type PassphraseStrength } from '../api/passphrase-rule'
import type { ApiMethod } from '../api/types'

let estimator: ZxcvbnFactory | null = null

export function passphraseStrength(passphrase: string): PassphraseStrength {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations
  })
  return judgePassphrase(estimator.check(passphrase))
}

/** The arguments that choose a new passphrase (never one being proven, so old ones keep working). */
const NEW_PASSPHRASES: Partial<Record<ApiMethod, { index: number; label: string }>> = {
  create: { index: 1, label: 'passphrase' },
  restore: { index: 3, label: 'passphrase' },
  changePassphrase: { index: 1, label: 'next' },
  exportIdentity: { index: 1, label: 'backupPassphrase' }
}

/** Refuses a call that would choose a passphrase below the rule, saying why. */
export function checkNewPassphrase(method: ApiMethod, args: unknown[]): void {
  const arg = NEW_PASSPHRASES[method]
  if (!arg || typeof args[arg.index] !== 'string') return
  const strength = passphraseStrength(args[arg.index] as string)
  if (!strength.acceptable) throw new CairnError('invalid-argument', `${arg.label} is too easy to guess (${strength.label})`)
}
