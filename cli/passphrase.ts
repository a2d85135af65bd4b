import { readFile } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import { CairnError } from '../core/api/errors'
import { promptHidden, type TtyInput } from './prompt'

export interface PassphraseSources {
  /** --passphrase-file: the first line of the file. */
  file?: string
  /** CAIRN_PASSPHRASE. */
  env: NodeJS.ProcessEnv
  /** Where to prompt when neither is given; only a terminal qualifies. */
  input: TtyInput | NodeJS.ReadableStream
  output: Writable
}

const HOW = 'set CAIRN_PASSPHRASE, pass --passphrase-file FILE, or run on a terminal'

// One prompt per command: a command that unlocks the profile and then proves the passphrase for a
// secret (export) asks once.
const prompted = new WeakMap<PassphraseSources, string>()

/**
 * The passphrase from --passphrase-file, else CAIRN_PASSPHRASE, else a no-echo prompt on a TTY.
 * Never from a flag value: that would leak it into `ps` and shell history. `confirm` asks twice on
 * a terminal, for a new passphrase that cannot be recovered if mistyped.
 */
export async function readPassphrase(sources: PassphraseSources, confirm = false): Promise<string> {
  if (sources.file !== undefined) return fromFile(sources.file)
  const fromEnv = sources.env.CAIRN_PASSPHRASE
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (!isTty(sources.input)) throw new CairnError('locked', `a passphrase is needed: ${HOW}`)
  const known = confirm ? undefined : prompted.get(sources)
  if (known !== undefined) return known

  const first = await promptHidden(sources.input, sources.output, confirm ? 'New passphrase: ' : 'Passphrase: ')
  if (first === '') throw new CairnError('invalid-argument', 'the passphrase is empty')
  if (confirm) {
    const again = await promptHidden(sources.input, sources.output, 'Repeat passphrase: ')
    if (again !== first) throw new CairnError('invalid-argument', 'the two passphrases differ')
  } else {
    prompted.set(sources, first)
  }
  return first
}

/**
 * The passphrase a backup is sealed under: CAIRN_BACKUP_PASSPHRASE, else a no-echo prompt on a TTY
 * (twice with `confirm`, when sealing a new backup).
 */
export async function readBackupPassphrase(sources: PassphraseSources, confirm = false): Promise<string> {
  const fromEnv = sources.env.CAIRN_BACKUP_PASSPHRASE
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (!isTty(sources.input)) throw new CairnError('locked', 'a backup passphrase is needed: set CAIRN_BACKUP_PASSPHRASE or run on a terminal')
  const first = await promptHidden(sources.input, sources.output, confirm ? 'New backup passphrase: ' : 'Backup passphrase: ')
  if (first === '') throw new CairnError('invalid-argument', 'the backup passphrase is empty')
  if (confirm) {
    const again = await promptHidden(sources.input, sources.output, 'Repeat backup passphrase: ')
    if (again !== first) throw new CairnError('invalid-argument', 'the two backup passphrases differ')
  }
  return first
}

async function fromFile(file: string): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err)
    throw new CairnError('invalid-argument', `cannot read --passphrase-file ${file}: ${reason}`)
  }
  const line = text.split(/\r?\n/, 1)[0]
  if (line === '') throw new CairnError('invalid-argument', `--passphrase-file ${file} starts with an empty line`)
  return line
}

function isTty(input: TtyInput | NodeJS.ReadableStream): input is TtyInput {
  return (input as TtyInput).isTTY === true && typeof (input as TtyInput).setRawMode === 'function'
}
