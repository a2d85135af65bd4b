// Where a call's arguments are checked, once: a CairnHost's own methods (generated here from the
// API's method table) check them for every caller, in-process or behind a transport; dispatch
// checks them only for an API that does not (a test double served over a real transport).
import type { CairnApi } from '../api/types'
import { API_METHODS, validateArgs } from '../api/validate'
import { checkNewPassphrase } from './passphrase-strength'

export const CHECKS_ARGUMENTS = Symbol('cairn.checks-arguments')

/** Marks an object whose API methods check their own arguments. */
export interface ChecksArguments {
  readonly [CHECKS_ARGUMENTS]: true
}

export function checksArguments(api: object): api is ChecksArguments {
  return (api as Partial<ChecksArguments>)[CHECKS_ARGUMENTS] === true
}

/**
 * The API's methods, each rejecting a call whose arguments do not match the API with
 * CairnError('invalid-argument') and otherwise running the same method of `run`.
 */
export function checkedApi(run: CairnApi): CairnApi & ChecksArguments {
  const methods = API_METHODS.map((method) => [
    method,
    async (...args: unknown[]) => {
      const call = validateArgs(method, args)
      checkNewPassphrase(call.method, call.args)
      return (run[call.method] as (...a: unknown[]) => Promise<unknown>).apply(run, call.args)
    }
  ])
  return { ...(Object.fromEntries(methods) as CairnApi), [CHECKS_ARGUMENTS]: true }
}
