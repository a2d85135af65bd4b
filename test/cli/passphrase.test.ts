import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readPassphrase } from '../../cli/passphrase'
import { CairnError } from '../../core/api/errors'

/** A terminal stand-in: records raw-mode switches; what is "typed" is written into it. */
class FakeTty extends PassThrough {
  isTTY = true
  rawModes: boolean[] = []
  setRawMode(raw: boolean) {
    this.rawModes.push(raw)
    return this
  }
}

function typeAfterPrompt(tty: FakeTty, output: PassThrough, keystrokes: string[]): void {
  let prompts = 0
  output.on('data', (chunk: Buffer) => {
    if (!/passphrase: $/i.test(chunk.toString())) return
    const keys = keystrokes[prompts++]
    if (keys !== undefined) setImmediate(() => tty.write(keys))
  })
}

describe('passphrase sources', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-cli-pass-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads the first line of --passphrase-file, before the environment', async () => {
    const file = join(dir, 'pass')
    await writeFile(file, 'correct horse\r\nsecond line\n')
    const got = await readPassphrase({ file, env: { CAIRN_PASSPHRASE: 'from env' }, input: new PassThrough(), output: new PassThrough() })
    expect(got).toBe('correct horse')
  })

  it('names a missing or empty passphrase file', async () => {
    const missing = join(dir, 'nope')
    await expect(readPassphrase({ file: missing, env: {}, input: new PassThrough(), output: new PassThrough() })).rejects.toThrow(
      `cannot read --passphrase-file ${missing}: ENOENT`
    )
    const empty = join(dir, 'empty')
    await writeFile(empty, '\nsecret\n')
    await expect(readPassphrase({ file: empty, env: {}, input: new PassThrough(), output: new PassThrough() })).rejects.toThrow(/starts with an empty line/)
  })

  it('uses CAIRN_PASSPHRASE when there is no file', async () => {
    expect(await readPassphrase({ env: { CAIRN_PASSPHRASE: 's3cret' }, input: new PassThrough(), output: new PassThrough() })).toBe('s3cret')
  })

  it('refuses with a typed error when stdin is not a terminal', async () => {
    const err = await readPassphrase({ env: {}, input: new PassThrough(), output: new PassThrough() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnError)
    expect((err as CairnError).code).toBe('locked')
    expect((err as CairnError).message).toMatch(/CAIRN_PASSPHRASE.*--passphrase-file/)
  })

  it('prompts on a terminal without echo, honouring backspace', async () => {
    const tty = new FakeTty()
    const output = new PassThrough()
    const shown: string[] = []
    output.on('data', (c: Buffer) => shown.push(c.toString()))
    typeAfterPrompt(tty, output, ['hunter3\u007f2\r'])
    expect(await readPassphrase({ env: {}, input: tty, output })).toBe('hunter2')
    expect(shown.join('')).toBe('Passphrase: \n')
    expect(tty.rawModes).toEqual([true, false])
  })

  it('asks twice for a new passphrase and refuses a mismatch', async () => {
    const tty = new FakeTty()
    const output = new PassThrough()
    typeAfterPrompt(tty, output, ['one\r', 'two\r'])
    await expect(readPassphrase({ env: {}, input: tty, output }, true)).rejects.toThrow('the two passphrases differ')

    const tty2 = new FakeTty()
    const output2 = new PassThrough()
    typeAfterPrompt(tty2, output2, ['same\n', 'same\n'])
    expect(await readPassphrase({ env: {}, input: tty2, output: output2 }, true)).toBe('same')
  })

  it('treats Ctrl-C as abandoning the prompt and restores the terminal', async () => {
    const tty = new FakeTty()
    const output = new PassThrough()
    typeAfterPrompt(tty, output, ['abc\u0003'])
    await expect(readPassphrase({ env: {}, input: tty, output })).rejects.toMatchObject({ code: 'locked', message: 'passphrase prompt abandoned' })
    expect(tty.rawModes).toEqual([true, false])
  })
})
