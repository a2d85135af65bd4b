// The node flags and environment bin/cairn.js's first line starts node with, so a bench's peer
// process runs as the CLI does.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Launch {
  flags: string[]
  env: Record<string, string>
}

export function cliLaunch(): Launch {
  const first = readFileSync(join(import.meta.dirname, '..', 'bin', 'cairn.js'), 'utf8').split('\n')[0]
  const words = first.replace(/^#!\S+\s+(-S\s+)?/, '').trim().split(/\s+/)
  const at = words.indexOf('node')
  if (at < 0) throw new Error(`bin/cairn.js does not start node: ${first}`)
  return { flags: words.slice(at + 1), env: Object.fromEntries(words.slice(0, at).map((w) => w.split('=', 2))) }
}

/** As a command line: "MALLOC_ARENA_MAX=2 node --max-semi-space-size=1". */
export function describeLaunch(launch: Launch): string {
  return [...Object.entries(launch.env).map(([k, v]) => `${k}=${v}`), 'node', ...launch.flags].join(' ')
}
