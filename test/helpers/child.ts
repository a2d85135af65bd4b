// A Cairn node in its own process, driven over stdin/stdout JSON lines, for tests that kill it or
// need two processes on one profile. In: {id, method, args}; out: {id, ok, result | error} and {event}.
import { createInterface } from 'node:readline'
import { CairnHost } from '../../core/host/host'
import { CairnError } from '../../core/api/errors'
import type { CairnApi } from '../../core/api/types'

const [profileDir, bootstrapJson] = process.argv.slice(2)
const host = new CairnHost({ profileDir, bootstrap: bootstrapJson ? JSON.parse(bootstrapJson) : [] })
const write = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n')
host.on('event', (event) => write({ event }))

createInterface({ input: process.stdin }).on('line', async (line) => {
  const { id, method, args } = JSON.parse(line) as { id: number; method: keyof CairnApi | 'close'; args: unknown[] }
  try {
    const result = method === 'close' ? await host.close() : await (host[method] as (...a: unknown[]) => Promise<unknown>)(...args)
    write({ id, ok: true, result: result ?? null })
    if (method === 'close') process.exit(0)
  } catch (err) {
    write({ id, ok: false, error: CairnError.from(err).toJSON() })
  }
})
write({ ready: true })
