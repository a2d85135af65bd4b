// The box's own Ed25519 key: its address on the DHT and its end of every Noise stream. It sits in
// the box folder unencrypted (`box.key`, owner-only), because an always-on box restarts unattended;
// whoever steals it can impersonate the box to its paired devices but reads nothing it holds.
//
//   box.key = version (1) | seed (32)
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { KeyPair } from 'hyperdht'
import { ed25519KeyPair, randomBytes } from '../crypto'
import { writeFileAtomic } from '../identity/atomic-file'
import { Reader, Writer } from './codec'
import { HomeError } from './errors'

export const BOX_KEY_VERSION = 1

export function boxLayout(dir: string): { key: string; cores: string; socket: string } {
  return { key: join(dir, 'box.key'), cores: join(dir, 'cores'), socket: join(dir, 'home.sock') }
}

export function encodeBoxKey(seed: Uint8Array): Buffer {
  return new Writer().uint8(BOX_KEY_VERSION).fixed(seed, 32, 'seed').done()
}

export function decodeBoxKey(bytes: Uint8Array): KeyPair {
  const r = new Reader(bytes, 64, 'box key')
  const version = r.uint8('version')
  if (version !== BOX_KEY_VERSION) throw new HomeError('malformed', `box key: unsupported version ${version}`)
  const seed = r.fixed(32, 'seed')
  r.end()
  return ed25519KeyPair(seed)
}

/** Throws HomeError('box-exists') rather than replace a box's key: its devices know it by that key. */
export async function createBoxKey(dir: string): Promise<KeyPair> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const seed = randomBytes(32)
  if (!(await writeFileAtomic(boxLayout(dir).key, encodeBoxKey(seed), true))) {
    throw new HomeError('box-exists', `${dir} already holds a home node; init never replaces one`)
  }
  return ed25519KeyPair(seed)
}

export async function loadBoxKey(dir: string): Promise<KeyPair> {
  let bytes: Buffer
  try {
    bytes = await readFile(boxLayout(dir).key)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new HomeError('no-box', `${dir} holds no home node: run cairn home init first`)
    throw err
  }
  return decodeBoxKey(bytes)
}
