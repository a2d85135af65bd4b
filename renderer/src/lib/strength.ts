import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import * as en from '@zxcvbn-ts/language-en'
import { judgePassphrase, type PassphraseStrength } from '../../../core/api/passphrase-rule'

// The same estimator and dictionaries as the host (core/host/passphrase-strength.ts), so what the
// form accepts is what the core accepts.
let estimator: ZxcvbnFactory | null = null

export function passphraseStrength(passphrase: string): PassphraseStrength {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations
  })
  return judgePassphrase(estimator.check(passphrase))
}
