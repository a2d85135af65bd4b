// `cairn home ACTION [ARG]`: the box's actions when the folder holds a home node (box.key), the
// device's when it holds a profile. init and run make and run a box; pair links a profile.
import { integerOption } from '../args'
import type { CliContext } from '../context'
import { UsageError } from '../exit-codes'
import { readHomeLink, type ProfileRules } from '../../core/host/home'
import { homeBoxStatus, homeBoxUnlink, homeInit, homeInvite, homeRun, isBox } from './box-commands'
import { homeDeviceStatus, homeDeviceUnlink, homePair } from './device-commands'

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }

/** `--quota 500M`: bytes, with an optional K/M/G/T suffix (powers of 1024). */
export function parseQuota(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const match = /^(\d+)([KMGT]?)$/i.exec(text.trim())
  const bytes = match === null ? NaN : Number(match[1]) * UNITS[match[2].toUpperCase()]
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new UsageError(`--quota must be a size such as 500M or 2G, got "${text}"`)
  return bytes
}

export async function runHome(ctx: CliContext, positionals: string[], options: { quota?: string; 'expire-days'?: string }): Promise<void> {
  const [action, arg] = positionals
  const dir = ctx.hostOptions.profileDir
  const rules: Partial<ProfileRules> = {
    quota: parseQuota(options.quota),
    expireDays: integerOption('expire-days', options['expire-days'], 0, 3650)
  }
  const takesArg = action === 'pair' || (action === 'unlink' && (await isBox(dir)))
  if (arg !== undefined && !takesArg) throw new UsageError(`home ${action}: too many arguments`)
  switch (action) {
    case 'init':
      return homeInit(ctx, rules)
    case 'invite':
      return homeInvite(ctx, rules)
    case 'run':
      return homeRun(ctx)
    case 'pair':
      if (arg === undefined) throw new UsageError('home pair: missing CODE (usage: cairn home pair CODE)')
      return homePair(ctx, arg)
    case 'status':
    case 'unlink': {
      if (await isBox(dir)) {
        if (action === 'status') return homeBoxStatus(ctx)
        if (arg === undefined) throw new UsageError('home unlink on a home node: missing PROFILE (see cairn home status)')
        return homeBoxUnlink(ctx, arg)
      }
      if ((await readHomeLink(dir)) === null) {
        throw new UsageError(`${dir} is neither a home node nor linked to one (cairn home init / cairn home pair CODE)`)
      }
      return action === 'status' ? homeDeviceStatus(ctx) : homeDeviceUnlink(ctx)
    }
    default:
      throw new UsageError(`home: unknown action "${action}" (init, run, invite, status, unlink; pair CODE on a device)`)
  }
}
