// LAN discovery is on by default, and on the host's own network multicast DNS would leave the
// machine. Every test or bench that opens a node outside a namespace must turn it off: this scans
// their sources for nodes opened without saying so.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
// Namespace-only code: it runs inside `ip netns exec`, where the LAN is the test's own bridge.
const IN_NAMESPACES = ['test/lan/', 'test/helpers/lan/']

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : sources(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

/** `new CairnHost({ … })` and `openMessenger({ … })` calls whose options do not mention lanDiscovery. */
export function unguarded(text: string): number {
  let count = 0
  for (const match of text.matchAll(/(new CairnHost|openMessenger)\(\{/g)) {
    let depth = 0
    let end = match.index + match[0].length - 1
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++
      if (text[end] === '}' && --depth === 0) break
    }
    if (!/lanDiscovery/.test(text.slice(match.index, end))) count++
  }
  return count
}

it('finds a node opened without lanDiscovery, and accepts one that says it', () => {
  expect(unguarded("new CairnHost({ profileDir: dir, bootstrap })")).toBe(1)
  expect(unguarded("new CairnHost({ profileDir: dir, opts: { a: 1 }, lanDiscovery: false })")).toBe(0)
})

it('every test and bench outside a namespace opens its nodes with lanDiscovery set', () => {
  const files = [...sources(join(ROOT, 'test')), ...sources(join(ROOT, 'bench'))]
    .map((path) => relative(ROOT, path))
    .filter((path) => !IN_NAMESPACES.some((dir) => path.startsWith(dir)) && path !== 'test/no-lan-on-host.test.ts')
  expect(files.length).toBeGreaterThan(50)
  const offenders = files.filter((path) => unguarded(readFileSync(join(ROOT, path), 'utf8')) > 0)
  expect(offenders).toEqual([])
})
