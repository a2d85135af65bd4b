// A profile's side of its home node: the link (box key, salt, profile id — nothing secret) kept in
// the profile folder as `home-link`, and the link key derived from the identity each time, so the
// identity secret is read from the keystore (passphrase) and never leaves this process.
import { readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type HyperDHT from 'hyperdht'
import type { HostPort } from 'hyperdht'
import { openKeystore } from '../identity'
import { writeFileAtomic } from '../identity/atomic-file'
import { profileLayout } from '../profile/layout'
import { HomeClient } from './client'
import { HomeError } from './errors'
import { decodeLink, encodeLink, linkKeyPair, newLinkSalt, type HomeLink } from './link'
import { decodePairingCode } from './pairing-code'
import type { ProfileStatus } from './wire'

export interface DeviceOptions {
  profileDir: string
  passphrase: string
  bootstrap?: HostPort[]
}

export interface Linked {
  box: string
  profile: string
  quota: number
  expireDays: number
}

function linkPath(profileDir: string): string {
  return join(profileDir, 'home-link')
}

export async function readHomeLink(profileDir: string): Promise<HomeLink | null> {
  try {
    return decodeLink(await readFile(linkPath(profileDir)))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

async function identitySecret(opts: DeviceOptions): Promise<Buffer> {
  return (await openKeystore(profileLayout(opts.profileDir).keystore, opts.passphrase)).identity.secretKey
}

async function withLinked<T>(opts: DeviceOptions, use: (client: HomeClient, link: HomeLink) => Promise<T>): Promise<T> {
  const link = await readHomeLink(opts.profileDir)
  if (link === null) throw new HomeError('not-paired', `${opts.profileDir} is not linked to a home node`)
  const keyPair = linkKeyPair(await identitySecret(opts), link.boxKey, link.salt)
  const client = await HomeClient.connect(link.boxKey, { keyPair, bootstrap: opts.bootstrap })
  try {
    return await use(client, link)
  } finally {
    await client.close()
  }
}

/** Links the profile to the box the code names; refuses a profile that is already linked. */
export async function pairDevice(opts: DeviceOptions, codeText: string): Promise<Linked> {
  return (await pairIdentity(opts.profileDir, await identitySecret(opts), codeText, { bootstrap: opts.bootstrap })).linked
}

/** The same for an unlocked profile, whose identity secret is already in memory. */
export async function pairIdentity(
  profileDir: string,
  identitySecret: Buffer,
  codeText: string,
  via: { bootstrap?: HostPort[]; dht?: HyperDHT }
): Promise<{ linked: Linked; link: HomeLink }> {
  const code = decodePairingCode(codeText)
  if ((await readHomeLink(profileDir)) !== null) {
    throw new HomeError('malformed', `${profileDir} is already linked to a home node: unlink it first`)
  }
  const salt = newLinkSalt()
  const keyPair = linkKeyPair(identitySecret, code.boxKey, salt)
  const client = await HomeClient.connect(code.boxKey, { keyPair, ...via })
  try {
    const paired = await client.pair(code)
    const link = { boxKey: code.boxKey, salt, profile: paired.profile }
    await writeFileAtomic(linkPath(profileDir), encodeLink(link), false)
    const linked = { box: code.boxKey.toString('hex'), profile: paired.profile.toString('hex'), quota: paired.quota, expireDays: paired.expireDays }
    return { linked, link }
  } finally {
    await client.close()
  }
}

/** Forgets the link file (after the box was told, or when the person gives up on a dead box). */
export async function forgetHomeLink(profileDir: string): Promise<void> {
  await unlink(linkPath(profileDir)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
  })
}

export function deviceStatus(opts: DeviceOptions): Promise<{ box: string } & ProfileStatus> {
  return withLinked(opts, async (client, link) => ({ box: link.boxKey.toString('hex'), ...(await client.status()) }))
}

/** Asks the box to forget this profile and revoke the link key, then forgets the link here. */
export async function unlinkDevice(opts: DeviceOptions): Promise<void> {
  await withLinked(opts, (client) => client.unlink())
  await forgetHomeLink(opts.profileDir)
}
