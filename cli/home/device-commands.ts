// `cairn home pair CODE | status | unlink` on a device: the profile's side of the link. The link
// key is derived from the identity (so the passphrase is needed), the link itself — box key, salt,
// profile id, nothing secret — is kept in the profile folder as `home-link`.
import { readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { openKeystore } from '../../core/identity'
import {
  decodeLink,
  decodePairingCode,
  encodeLink,
  HomeClient,
  linkKeyPair,
  newLinkSalt,
  type HomeLink,
  type ProfileStatus
} from '../../core/home'
import { HomeError } from '../../core/home/errors'
import { writeFileAtomic } from '../../core/identity/atomic-file'
import { profileLayout } from '../../core/profile/layout'
import type { CliContext } from '../context'
import { readPassphrase } from '../passphrase'

export function linkPath(profileDir: string): string {
  return join(profileDir, 'home-link')
}

export async function readLink(profileDir: string): Promise<HomeLink | null> {
  try {
    return decodeLink(await readFile(linkPath(profileDir)))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

async function identitySecret(ctx: CliContext): Promise<Buffer> {
  const passphrase = await readPassphrase(ctx.passphrase)
  const secrets = await openKeystore(profileLayout(ctx.hostOptions.profileDir).keystore, passphrase)
  return secrets.identity.secretKey
}

async function connect(ctx: CliContext, link: HomeLink, secret: Buffer): Promise<HomeClient> {
  return HomeClient.connect(link.boxKey, { keyPair: linkKeyPair(secret, link.boxKey, link.salt), bootstrap: ctx.hostOptions.bootstrap })
}

export async function homePair(ctx: CliContext, codeText: string): Promise<void> {
  const code = decodePairingCode(codeText)
  const dir = ctx.hostOptions.profileDir
  if ((await readLink(dir)) !== null) throw new HomeError('malformed', `${dir} is already linked to a home node: unlink it first`)
  const secret = await identitySecret(ctx)
  const salt = newLinkSalt()
  const client = await HomeClient.connect(code.boxKey, { keyPair: linkKeyPair(secret, code.boxKey, salt), bootstrap: ctx.hostOptions.bootstrap })
  try {
    const paired = await client.pair(code)
    await writeFileAtomic(linkPath(dir), encodeLink({ boxKey: code.boxKey, salt, profile: paired.profile }), false)
    const data = { box: code.boxKey.toString('hex'), profile: paired.profile.toString('hex'), quota: paired.quota, expireDays: paired.expireDays }
    ctx.stdout.write(ctx.globals.json ? JSON.stringify(data) + '\n' : `linked to home node ${data.box} as profile ${data.profile}\n`)
  } finally {
    await client.close()
  }
}

function formatStatus(link: HomeLink, s: ProfileStatus): string {
  return (
    `home node ${link.boxKey.toString('hex')}: online; ${s.logs} logs, ${s.bytes} of ${s.quota} bytes` +
    `${s.overQuota ? ' (OVER QUOTA)' : ''}, ${s.requests} requests waiting, expiry ${s.expireDays} days\n`
  )
}

export async function homeDeviceStatus(ctx: CliContext, link: HomeLink): Promise<void> {
  const client = await connect(ctx, link, await identitySecret(ctx))
  try {
    const status = await client.status()
    ctx.stdout.write(ctx.globals.json ? JSON.stringify({ box: link.boxKey.toString('hex'), ...status }) + '\n' : formatStatus(link, status))
  } finally {
    await client.close()
  }
}

export async function homeDeviceUnlink(ctx: CliContext, link: HomeLink): Promise<void> {
  const client = await connect(ctx, link, await identitySecret(ctx))
  try {
    await client.unlink()
  } finally {
    await client.close()
  }
  await unlink(linkPath(ctx.hostOptions.profileDir))
  ctx.stderr.write('cairn: unlinked from the home node; it holds nothing for this profile any more\n')
}
