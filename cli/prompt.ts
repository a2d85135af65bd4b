import type { Writable } from 'node:stream'
import { CairnError } from '../core/api/errors'

/** The part of a TTY read stream the prompt needs; a test can stand in for it. */
export interface TtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean
  setRawMode(raw: boolean): unknown
}

/**
 * Reads one line from a terminal without echoing it, so a passphrase never appears on screen or in
 * scrollback. Ctrl-C and Ctrl-D on an empty line abandon the prompt.
 */
export function promptHidden(input: TtyInput, output: Writable, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = ''
    // Echo goes off before the question appears, so nothing typed at the prompt is ever shown.
    input.setRawMode(true)
    input.resume()
    output.write(question)

    const finish = (err: Error | null) => {
      input.removeListener('data', onData)
      input.setRawMode(false)
      input.pause()
      output.write('\n')
      if (err) reject(err)
      else resolve(typed)
    }

    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(null)
        if (ch === '\u0003' || (ch === '\u0004' && typed === '')) return finish(new CairnError('locked', 'passphrase prompt abandoned'))
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('')
        else if (ch >= ' ') typed += ch
      }
    }

    input.on('data', onData)
  })
}
