// `cairn home init | run | invite | status | unlink PROFILE` on the box. A one-shot command goes
// through the running daemon's control socket if there is one, else opens the box folder itself
// (offline: it never joins the DHT for an instant).
import { access } from 'node:fs/promises'
import { boxLayout, createBoxKey, HomeBox, HomeError, type BoxEvent, type BoxStatus, type ProfileRules } from '../../core/host/home'
import type { CliContext } from '../context'
import { connectBoxControl, serveBoxControl, type BoxControl } from './box-control'
import { stopSignal } from '../stop-signal'

const SWEEP_EVERY_MS = 60 * 60 * 1000

export async function isBox(dir: string): Promise<boolean> {
  return access(boxLayout(dir).key).then(
    () => true,
    () => false
  )
}

async function openControl(ctx: CliContext): Promise<BoxControl> {
  const dir = ctx.hostOptions.profileDir
  const running = await connectBoxControl(boxLayout(dir).socket)
  if (running) return running
  const box = await HomeBox.open({ dir })
  return {
    status: () => box.status(),
    invite: (rules) => box.createPairingCode(rules),
    unlink: async (profile) => {
      if (!(await box.status()).profiles.some((p) => p.profile === profile)) {
        throw new HomeError('no-profile', `no profile ${profile} on this home node (see cairn home status)`)
      }
      await box.unlink(profile)
    },
    close: () => box.close()
  }
}

function print(ctx: CliContext, data: unknown, text: string): void {
  ctx.stdout.write(ctx.globals.json ? JSON.stringify(data) + '\n' : text)
}

export async function homeInit(ctx: CliContext, rules: Partial<ProfileRules>): Promise<void> {
  const dir = ctx.hostOptions.profileDir
  const key = await createBoxKey(dir)
  const control = await openControl(ctx)
  try {
    const code = await control.invite(rules)
    print(ctx, { box: key.publicKey.toString('hex'), code }, `${code}\n`)
    ctx.stderr.write(`cairn: home node created in ${dir}; pair a device with: cairn home pair CODE (the code works once, for 24 hours)\n`)
  } finally {
    await control.close()
  }
}

export async function homeInvite(ctx: CliContext, rules: Partial<ProfileRules>): Promise<void> {
  const control = await openControl(ctx)
  try {
    const code = await control.invite(rules)
    print(ctx, { code }, `${code}\n`)
  } finally {
    await control.close()
  }
}

function formatBoxStatus(s: BoxStatus): string {
  const lines = [`home node ${s.box} (${s.listening ? `running, ${s.connections} connected` : 'not running'})`]
  for (const p of s.profiles) {
    const flag = p.overQuota ? ', OVER QUOTA' : ''
    lines.push(`  ${p.profile}  ${p.logs} logs, ${p.bytes} of ${p.quota} bytes${flag}, ${p.requests} requests waiting, expiry ${p.expireDays} days`)
  }
  if (s.profiles.length === 0) lines.push('  no device paired yet (cairn home invite prints a pairing code)')
  return lines.join('\n') + '\n'
}

export async function homeBoxStatus(ctx: CliContext): Promise<void> {
  const control = await openControl(ctx)
  try {
    const status = await control.status()
    print(ctx, status, formatBoxStatus(status))
  } finally {
    await control.close()
  }
}

export async function homeBoxUnlink(ctx: CliContext, profile: string): Promise<void> {
  const control = await openControl(ctx)
  try {
    await control.unlink(profile)
    ctx.stderr.write(`cairn: unlinked ${profile}; its device is refused from now on\n`)
  } finally {
    await control.close()
  }
}

/** `cairn home run`: listens until SIGINT/SIGTERM, one JSON line per box event on stdout. */
export async function homeRun(ctx: CliContext): Promise<void> {
  const dir = ctx.hostOptions.profileDir
  const layout = boxLayout(dir)
  const running = await connectBoxControl(layout.socket)
  if (running) {
    await running.close()
    throw new HomeError('unavailable', `a home node is already running on ${dir}`)
  }
  const stop = stopSignal()
  const box = await HomeBox.open({ dir, bootstrap: ctx.hostOptions.bootstrap })
  const print = (event: BoxEvent) => ctx.stdout.write(JSON.stringify(event) + '\n')
  box.on('event', print)
  ctx.stdout.once('error', stop.trigger)
  const closers: (() => Promise<void>)[] = [() => box.close()]
  const sweeper = setInterval(() => void box.sweep().catch(() => undefined), SWEEP_EVERY_MS)
  try {
    const control = await serveBoxControl(box, layout.socket)
    closers.push(() => control.close())
    await box.listen()
    await box.sweep()
    ctx.stderr.write(`cairn: home node ${box.publicKey.toString('hex')} listening; control socket ${layout.socket}; stop with Ctrl-C\n`)
    await stop.stopped
  } finally {
    clearInterval(sweeper)
    box.off('event', print)
    for (const close of closers.reverse()) await close()
  }
}
