// `cairn home pair CODE | status | unlink` on a device: the profile's side of the link (see
// core/home/device.ts). The link key comes from the identity, so each needs the passphrase.
import { deviceStatus, pairDevice, unlinkDevice, type DeviceOptions } from '../../core/host/home'
import type { CliContext } from '../context'
import { readPassphrase } from '../passphrase'

async function deviceOptions(ctx: CliContext): Promise<DeviceOptions> {
  return { profileDir: ctx.hostOptions.profileDir, passphrase: await readPassphrase(ctx.passphrase), bootstrap: ctx.hostOptions.bootstrap }
}

export async function homePair(ctx: CliContext, code: string): Promise<void> {
  const linked = await pairDevice(await deviceOptions(ctx), code)
  ctx.stdout.write(ctx.globals.json ? JSON.stringify(linked) + '\n' : `linked to home node ${linked.box} as profile ${linked.profile}\n`)
}

export async function homeDeviceStatus(ctx: CliContext): Promise<void> {
  const s = await deviceStatus(await deviceOptions(ctx))
  const text =
    `home node ${s.box}: online; ${s.logs} logs, ${s.bytes} of ${s.quota} bytes` +
    `${s.overQuota ? ' (OVER QUOTA)' : ''}, ${s.requests} requests waiting, expiry ${s.expireDays} days\n`
  ctx.stdout.write(ctx.globals.json ? JSON.stringify(s) + '\n' : text)
}

export async function homeDeviceUnlink(ctx: CliContext): Promise<void> {
  await unlinkDevice(await deviceOptions(ctx))
  ctx.stderr.write('cairn: unlinked from the home node; it holds nothing for this profile any more\n')
}
