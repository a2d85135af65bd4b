// Group messaging cost with Sender Keys (core/groups) against pairwise Double Ratchet sessions as the
// reference: what a sender pays per message in a 100-member group vs one 1:1 message; what a receiver
// pays; fan-out of one message to 50 members vs sending it 50 times pairwise; a removal at 100
// members (one fresh sender key sealed to 98); and a new member taking in a 10,000-message history.
// All parties live in this process; no network. 200-byte messages. Figures in µs of CPU time
// (user + system) per operation, best of 3 trials, because the machine is shared.
//
//   npx tsx bench/groups.bench.ts [--quick]
import { mkdtemp, rm as remove } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { performance } from 'node:perf_hooks'
import Corestore from 'corestore'
import { cryptoReady, sign, verify } from '../core/crypto'
import { Group, type Entry } from '../core/groups'
import { generateIdentity } from '../core/identity'
import { Session, bundleOf, generateSignedPrekey } from '../core/ratchet'
import { join, people, type Person } from '../test/groups/helpers'

const quick = process.argv.includes('--quick')
const MESSAGES = quick ? 200 : 2_000
const HISTORY = quick ? 1_000 : 10_000
const TRIALS = 3
const MESSAGE = Buffer.alloc(200, 0x61)

function cpu<T>(fn: () => T): { us: number; wall: number; value: T } {
  const start = process.cpuUsage()
  const wallStart = performance.now()
  const value = fn()
  const used = process.cpuUsage(start)
  return { us: used.user + used.system, wall: performance.now() - wallStart, value }
}

function best(fn: () => number): number {
  let min = Infinity
  for (let i = 0; i < TRIALS; i++) min = Math.min(min, fn())
  return min
}

function groupOf(n: number): { ps: Person[]; a: Group; blocks: Map<string, Entry[]> } {
  const ps = people(...Array.from({ length: n }, (_, i) => `p${i}`))
  const blocks = new Map<string, Entry[]>()
  const append = (p: Person, es: Entry[]) => blocks.set(p.log.toString('hex'), [...(blocks.get(p.log.toString('hex')) ?? []), ...es])
  const { group: a, entry } = Group.create('bench', { me: ps[0].id, myLog: ps[0].log, sealer: ps[0].sealer })
  append(ps[0], [entry])
  for (const p of ps.slice(1)) append(ps[0], a.addMember(p.id.publicKey, p.log))
  return { ps, a, blocks }
}

function feed(g: Group, log: Buffer, entries: Entry[]): void {
  for (const e of entries) if (e.seq >= g.nextIndex(log)) g.ingest(log, e.seq, e.bytes)
}

function pairwise(): { a: Session; b: Session } {
  const alice = generateIdentity()
  const bob = generateIdentity()
  const prekey = generateSignedPrekey(bob, 1)
  const a = Session.initiate(alice, bob.publicKey, bundleOf(bob, prekey))
  const b = Session.respond(bob, alice.publicKey, a.encrypt(MESSAGE), () => prekey).session
  a.decrypt(b.encrypt(MESSAGE))
  return { a, b }
}

function senderAndReceiver(n: number) {
  const { ps, a, blocks } = groupOf(n)
  const b = join(ps[1], a.genesis)
  const log = blocks.get(ps[0].log.toString('hex'))!
  log.push(...a.send(MESSAGE))
  feed(b, ps[0].log, log)
  const start = log.length
  const send = best(() => {
    const t = cpu(() => {
      for (let i = 0; i < MESSAGES; i++) log.push(...a.send(MESSAGE))
    })
    return t.us / MESSAGES
  })
  const receive = cpu(() => feed(b, ps[0].log, log)).us / (log.length - start)
  return { send, receive, readable: b.messages().filter((m) => m.plaintext).length, sent: log.length - start + 1 }
}

/**
 * The 1:1 reference. A 1:1 message in Cairn is a ratchet envelope appended to a Hypercore, whose
 * append signs the log once (Ed25519) and whose reader verifies that signature: so the reference is
 * the ratchet alone and the ratchet plus one signature (sender) or one verification (receiver).
 */
function pairwiseCost(): { send: number; receive: number; sign: number; verify: number } {
  const { a, b } = pairwise()
  const envelopes: Buffer[] = []
  const send = best(() => cpu(() => {
    for (let i = 0; i < MESSAGES; i++) envelopes.push(a.encrypt(MESSAGE))
  }).us / MESSAGES)
  const receive = cpu(() => {
    for (const e of envelopes) b.decrypt(e)
  }).us / envelopes.length
  const id = generateIdentity()
  const sig = sign(MESSAGE, id.secretKey)
  const signUs = best(() => cpu(() => {
    for (let i = 0; i < MESSAGES; i++) sign(MESSAGE, id.secretKey)
  }).us / MESSAGES)
  const verifyUs = best(() => cpu(() => {
    for (let i = 0; i < MESSAGES; i++) verify(sig, MESSAGE, id.publicKey)
  }).us / MESSAGES)
  return { send, receive, sign: signUs, verify: verifyUs }
}

/**
 * End to end on the sender, as the app does it: the same messages appended to a real Hypercore (in a
 * temporary folder), whose append signs the log once per append. Both sides pay that signature;
 * the group's block carries its author's identity signature besides (the second signature).
 */
async function withAppend(): Promise<{ oneToOne: number; group: number }> {
  const dir = await mkdtemp(joinPath(tmpdir(), 'cairn-bench-groups-'))
  const store = new Corestore(dir)
  const { a } = pairwise()
  const { a: g } = groupOf(100)
  g.send(MESSAGE)
  const timed = async (name: string, make: () => Buffer[]) => {
    const core = store.get({ name })
    await core.ready()
    let min = Infinity
    for (let t = 0; t < TRIALS; t++) {
      const start = process.cpuUsage()
      for (let i = 0; i < MESSAGES; i++) await core.append(make())
      const used = process.cpuUsage(start)
      min = Math.min(min, (used.user + used.system) / MESSAGES)
    }
    return min
  }
  const oneToOne = await timed('one-to-one', () => [a.encrypt(MESSAGE)])
  const group = await timed('group', () => g.send(MESSAGE).map((e) => e.bytes))
  await store.close()
  await remove(dir, { recursive: true, force: true })
  return { oneToOne, group }
}

function fanOut(members: number): { senderKeys: number; pairwise: number } {
  const { a } = groupOf(members + 1)
  a.send(MESSAGE)
  const senderKeys = best(() => cpu(() => {
    for (let i = 0; i < MESSAGES; i++) a.send(MESSAGE)
  }).us / MESSAGES)
  const sessions = Array.from({ length: members }, () => pairwise().a)
  const reference = best(() => cpu(() => {
    for (let i = 0; i < MESSAGES / 10; i++) for (const s of sessions) s.encrypt(MESSAGE)
  }).us / (MESSAGES / 10))
  return { senderKeys, pairwise: reference }
}

function removal(n: number): number {
  const { ps, a } = groupOf(n)
  a.send(MESSAGE)
  return cpu(() => a.removeMember(ps[n - 1].id.publicKey)).us
}

function joinHistory(): { ms: number; cpuMs: number; blocks: number } {
  const { ps, a, blocks } = groupOf(20)
  const history: Entry[] = [...blocks.get(ps[0].log.toString('hex'))!]
  for (let i = 0; i < HISTORY; i++) history.push(...a.send(MESSAGE))
  const [late] = people('late')
  history.push(...a.addMember(late.id.publicKey, late.log))
  const g = join(late, a.genesis)
  const t = cpu(() => {
    feed(g, ps[0].log, history)
    return g.members().length
  })
  if (t.value !== 21) throw new Error(`the late member sees ${t.value} members`)
  return { ms: t.wall, cpuMs: t.us / 1000, blocks: history.length }
}

await cryptoReady()
const reference = pairwiseCost()
const g100 = senderAndReceiver(100)
if (g100.readable !== g100.sent) throw new Error(`receiver read ${g100.readable} of ${g100.sent}`)
const fan = fanOut(50)
const rm = removal(100)
const late = joinHistory()
const appended = await withAppend()
const row = (label: string, us: number, ref: string) => console.log(`${label.padEnd(58)} ${us.toFixed(1).padStart(10)} µs   ${ref}`)
console.log(`messages per trial: ${MESSAGES}; best of ${TRIALS}; CPU µs per operation`)
const send1 = reference.send + reference.sign
const receive1 = reference.receive + reference.verify
row('1:1 Double Ratchet encrypt (reference)', reference.send, '')
row('1:1 encrypt + one Ed25519 signature (reference: a 1:1 append)', send1, '')
row('group of 100, sender per message (Sender Keys)', g100.send, `${(g100.send / send1).toFixed(2)}× the 1:1 append, ${(g100.send / reference.send).toFixed(2)}× the bare ratchet (target ≤ 2×)`)
row('1:1 encrypt + real Hypercore append (reference, end to end)', appended.oneToOne, '')
row('group of 100, send + real Hypercore append (end to end)', appended.group, `${(appended.group / appended.oneToOne).toFixed(2)}× the 1:1 send end to end (target ≤ 2×)`)
row('1:1 Double Ratchet decrypt (reference)', reference.receive, '')
row('1:1 decrypt + one Ed25519 verification (reference)', receive1, '')
row('group of 100, receiver per message (verify, order, decrypt)', g100.receive, `${(g100.receive / receive1).toFixed(2)}× the 1:1 read, ${(g100.receive / reference.receive).toFixed(2)}× the bare ratchet (target ≤ 2×)`)
row('fan-out to 50: one Sender Keys message', fan.senderKeys, '')
row('fan-out to 50: 50 pairwise ratchet messages (reference)', fan.pairwise, `${(fan.pairwise / fan.senderKeys).toFixed(1)}× the Sender Keys cost`)
row('removal in a group of 100 (op + fresh key sealed to 98)', rm, '')
console.log(`late member takes in ${late.blocks} blocks (${HISTORY} messages): ${late.ms.toFixed(0)} ms wall, ${late.cpuMs.toFixed(0)} ms CPU until usable`)
