// Search at 100,000 messages, against references measured in the same run:
//  - the index (core/search TextIndex: shards of packed postings, in time): build time, heap it
//    takes, and query time for the queries people type (a very common word, a mid-frequency one,
//    a rare one, one or two letters as typed so far, two words, within one conversation);
//  - reference: a linear scan of the same texts (lowercase `includes` of every word, newest first);
//  - reference: one MiniSearch index over everything, without shards (why the shards exist);
//  - the alternative of persisting the index in the encrypted store: its serialised size and the
//    time to serialise and load it, beside rebuilding it;
//  - a real profile on disk with the first 10,000 of those messages: time from unlock until the
//    first search answers (the rebuild from the encrypted store), and a search through the API.
// Texts: words drawn with Zipf's law from a vocabulary whose head is real English.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import MiniSearch from 'minisearch'
import { CairnHost } from '../core/host/host'
import { createLocalTestnet } from '../core/net/testnet'
import { encodeContactId, generateIdentity } from '../core/identity'
import { type IndexedMessage, TextIndex } from '../core/search'
import { normalizeTerm } from '../core/search/text-index'

const MESSAGES = 100_000
const CONTACTS = 20
// Seeding a profile goes through the core's sends (about 1,200 a second on a quiet machine):
// the profile part uses a tenth of the messages (CAIRN_BENCH_PROFILE_MESSAGES) and states the
// rebuild per 100,000 from it. --no-memory / --no-profile run one part only.
const PROFILE_MESSAGES = Number(process.env.CAIRN_BENCH_PROFILE_MESSAGES ?? 10_000)
const RUNS = 15
const LIMIT = 50
const TARGET_MS = 100
const PASS = 'benchmark passphrase'

const HEAD = `the to you i a and it is that of in for me we be on have at this what do not are was so just can
  with my but all be if get will know your now up how when like they good there one go see time out about
  today tomorrow meet call later home work think back yes no okay thanks love need want come right here well`
  .split(/\s+/)
  .filter(Boolean)

let seed = 42
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)

function vocabulary(size: number): string[] {
  const words = [...HEAD]
  for (let i = 0; words.length < size; i++) {
    let w = ''
    for (let x = i * 7919 + 104729; w.length < 3 || x > 0; x = Math.floor(x / 23)) w += 'abcdefghijklmnoprstuvwy'[x % 23]
    words.push(w)
  }
  return words
}

const VOCAB = vocabulary(40_000)
const zipfWord = () => VOCAB[Math.min(VOCAB.length - 1, Math.floor(Math.exp(random() * Math.log(VOCAB.length))) - 1)]
const sentence = () => Array.from({ length: 3 + Math.floor(random() * 18) }, zipfWord).join(' ')

const now = () => performance.now()
const heapMb = () => {
  global.gc?.()
  return process.memoryUsage().heapUsed / 1e6
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]
const f = (x: number, w = 7) => x.toFixed(x < 10 ? 2 : 0).padStart(w)

function timed(fn: () => unknown): { median: number; max: number; result: unknown } {
  const times: number[] = []
  let result: unknown
  for (let i = 0; i < RUNS; i++) {
    const t = now()
    result = fn()
    times.push(now() - t)
  }
  return { median: pct(times, 0.5), max: Math.max(...times), result }
}

function linearScan(messages: IndexedMessage[], text: string, contact?: string): string[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean)
  const hits: string[] = []
  for (let i = messages.length - 1; i >= 0 && hits.length < LIMIT; i--) {
    const m = messages[i]
    if (contact !== undefined && m.contact !== contact) continue
    const lower = m.text.toLowerCase()
    if (words.every((w) => lower.includes(w))) hits.push(m.id)
  }
  return hits
}

function inMemory(messages: IndexedMessage[]) {
  const h0 = heapMb()
  const t0 = now()
  const index = new TextIndex()
  index.putAll(messages)
  const buildMs = now() - t0
  const heap = heapMb() - h0

  const t1 = now()
  const single = new MiniSearch<{ id: string; text: string }>({ fields: ['text'], storeFields: [], processTerm: normalizeTerm })
  single.addAll(messages.map(({ id, text }) => ({ id, text })))
  const singleBuildMs = now() - t1

  const t2 = now()
  const json = JSON.stringify(single)
  const serialiseMs = now() - t2
  const t3 = now()
  MiniSearch.loadJSON(json, { fields: ['text'], storeFields: [], processTerm: normalizeTerm })
  const loadMs = now() - t3

  const counts = new Map<string, number>()
  for (const m of messages) for (const w of new Set(m.text.split(' '))) counts.set(w, (counts.get(w) ?? 0) + 1)
  const rareWord = [...counts].find(([, n]) => n >= 3 && n <= 10)![0]
  const pair = messages[MESSAGES / 2].text.split(' ').slice(-2).join(' ')
  const queries: Array<[string, string, string?]> = [
    ['very common word', 'the'],
    ['common word', 'meet'],
    [`rare word (${counts.get(rareWord)} messages)`, rareWord],
    ['1 letter typed', 't'],
    ['2 letters typed', 'to'],
    ['two words of one message', pair],
    ['word, one conversation', 'meet', 'c3']
  ]
  console.log(`\nqueries at ${MESSAGES} messages (${CONTACTS} conversations), ${LIMIT} newest hits, median / max of ${RUNS} [ms]; target ${TARGET_MS} ms`)
  console.log(`${'query'.padEnd(26)}${'index'.padStart(16)}${'ref linear scan'.padStart(20)}${'ref one MiniSearch'.padStart(22)}  hits`)
  let worst = 0
  for (const [label, q, contact] of queries) {
    const ix = timed(() => index.query(q, LIMIT, contact))
    const scan = timed(() => linearScan(messages, q, contact))
    const one = timed(() => single.search(q, { combineWith: 'AND', prefix: (_t, i, ts) => i === ts.length - 1, filter: contact ? (r) => String(r.id).startsWith(`${contact}-`) : undefined }))
    worst = Math.max(worst, ix.max)
    const hits = (ix.result as unknown[]).length
    console.log(`${label.padEnd(26)}${f(ix.median)} / ${f(ix.max, 6)}${f(scan.median, 11)} / ${f(scan.max, 6)}${f(one.median, 13)} / ${f(one.max, 6)}  ${hits}`)
  }
  console.log(`worst index query ${f(worst)} ms  (target ${TARGET_MS} ms: ${worst <= TARGET_MS ? 'met' : 'MISSED'})`)
  console.log(`\nbuild index (shards)            ${f(buildMs)} ms   heap ${f(heap)} MB`)
  console.log(`ref build one MiniSearch        ${f(singleBuildMs)} ms`)
  console.log(`persisting instead: serialised  ${f(json.length / 1e6)} MB, serialise ${f(serialiseMs)} ms, load ${f(loadMs)} ms (before encrypting and writing it)`)
}

async function throughProfile(messages: IndexedMessage[]) {
  const testnet = await createLocalTestnet(3)
  const dir = await mkdtemp(join(tmpdir(), 'cairn-search-bench-'))
  try {
    const host = new CairnHost({ profileDir: dir, bootstrap: testnet.bootstrap, lanDiscovery: false })
    await host.create('Alice', PASS)
    const ids: string[] = []
    for (let c = 0; c < CONTACTS; c++) ids.push((await host.addContact(encodeContactId(generateIdentity().publicKey), `Contact ${c}`)).id)
    const t0 = now()
    for (let i = 0; i < messages.length; i += 500) {
      await Promise.all(messages.slice(i, i + 500).map((m) => host.send(ids[Number(m.contact.slice(1))], m.text)))
    }
    const seedMs = now() - t0
    await host.lock()
    const t1 = now()
    await host.unlock(PASS)
    const unlockMs = now() - t1
    const first = await host.search('meet')
    const rebuiltMs = now() - t1
    const apiTimes: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t = now()
      await host.search(messages[PROFILE_MESSAGES / 2].text.split(' ').slice(-2).join(' '))
      apiTimes.push(now() - t)
    }
    await host.close()
    console.log(`\nreal profile on disk, ${messages.length} messages (seeded in ${f(seedMs / 1000)} s through the core)`)
    console.log(`unlock (Argon2id, open, start)  ${f(unlockMs)} ms`)
    console.log(`unlock until first search hits  ${f(rebuiltMs)} ms   (rebuild from the encrypted store; ${first.length} hits)`)
    console.log(`  per 100,000 messages (x${MESSAGES / messages.length})     ${f(((rebuiltMs - unlockMs) * MESSAGES) / messages.length)} ms after unlock`)
    console.log(`search through the API          ${f(pct(apiTimes, 0.5))} ms median of ${RUNS}`)
  } finally {
    await testnet.destroy()
    await rm(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const messages: IndexedMessage[] = Array.from({ length: MESSAGES }, (_, n) => ({
    contact: `c${Math.floor(random() * CONTACTS)}`,
    id: `m-${n}`,
    direction: 'out',
    sentAt: 1_700_000_000_000 + n * 1000,
    at: 1_700_000_000_000 + n * 1000,
    text: sentence()
  }))
  for (const m of messages) m.id = `${m.contact}-${m.id}`
  if (!process.argv.includes('--no-memory')) inMemory(messages)
  if (!process.argv.includes('--no-profile')) await throughProfile(messages.slice(0, PROFILE_MESSAGES))
}

await main()
