// A group member in a namespace, for the LAN group bench: one person's replica of one group
// (core/groups), its log in a Corestore on disk, swarmed over the LAN DHT that LAN discovery builds,
// through the app's GroupSwarms (so the runs see how it looks the topics up again as members leave).
// The identity and signed prekey come from CAIRN_MEMBER (a JSON file the bench wrote) and every
// member's prekey bundle from CAIRN_BUNDLES, standing in for the 1:1 sessions the app would have.
// Commands and reports are JSON lines (see netns.ts); times are wall-clock milliseconds, so the
// bench can compare them across processes on one machine.
import Corestore from 'corestore'
import type Hypercore from 'hypercore'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { cryptoReady, randomBytes } from '../../../core/crypto'
import { decodeInvite, encodeInvite, Group, GroupFeed, openGroupLog, RatchetSealer } from '../../../core/groups'
import { GroupSwarms } from '../../../core/messenger/group-swarms'
import type { IdentityKeyPair } from '../../../core/identity'
import type { PrekeyBundle, SignedPrekey } from '../../../core/ratchet'
import { startLan, type Lan } from '../../../core/lan'

const report = (r: Record<string, unknown>) => process.stdout.write(JSON.stringify(r) + '\n')
const now = () => performance.timeOrigin + performance.now()
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (h: string) => Buffer.from(h, 'hex')

interface MemberFile {
  publicKey: string
  secretKey: string
  prekey: { id: number; publicKey: string; secretKey: string; signature: string; createdAt: number }
}
type BundleFile = Record<string, { identityKey: string; prekeyId: number; prekey: string; signature: string }>

await cryptoReady()
const member = JSON.parse(readFileSync(process.env.CAIRN_MEMBER!, 'utf8')) as MemberFile
const bundles = JSON.parse(readFileSync(process.env.CAIRN_BUNDLES!, 'utf8')) as BundleFile
const me: IdentityKeyPair = { publicKey: bytes(member.publicKey), secretKey: bytes(member.secretKey) }
const prekey: SignedPrekey = { ...member.prekey, publicKey: bytes(member.prekey.publicKey), secretKey: bytes(member.prekey.secretKey), signature: bytes(member.prekey.signature) }
const bundleOf = (id: Buffer): PrekeyBundle | null => {
  const b = bundles[hex(id)]
  return b ? { identityKey: bytes(b.identityKey), prekeyId: b.prekeyId, prekey: bytes(b.prekey), signature: bytes(b.signature) } : null
}
const sealer = new RatchetSealer(me, bundleOf, (id) => (id === prekey.id ? prekey : null))

const store = new Corestore(process.env.CAIRN_DIR!)
const log: Hypercore = await openGroupLog(store, randomBytes(16))
const lan: Lan = await startLan({ announceIntervalMs: 1000 })

let group: Group
if (process.env.CAIRN_INVITE) {
  const invite = decodeInvite(bytes(process.env.CAIRN_INVITE))
  group = new Group(invite.genesis, { me, myLog: log.key as Buffer, sealer, invitedSecret: invite.groupSecret })
} else {
  const created = Group.create('lan bench', { me, myLog: log.key as Buffer, sealer })
  group = created.group
  await log.append(created.entry.bytes)
  report({ type: 'invite', invite: hex(encodeInvite({ ...group.invitation(), name: 'lan bench' })) })
}

let feed: GroupFeed | null = null
let swarms: GroupSwarms | null = null
const reported = new Set<string>()
let wasMember = false

// Reports each message (texts are unique in the bench) once, when this replica first holds its plaintext, and the moment this
// member's own addition reached it.
function onChange(): void {
  if (!wasMember && group.isMember()) {
    wasMember = true
    report({ type: 'member', at: now() })
  }
  for (const m of group.messages()) {
    const text = m.plaintext?.toString()
    if (text === undefined || reported.has(text)) continue
    reported.add(text)
    report({ type: 'message', text, at: now() })
  }
}

async function online(): Promise<void> {
  feed = new GroupFeed(store, group, log, ({ error }) => report({ type: 'problem', message: error.message }), onChange)
  swarms = new GroupSwarms(group, feed, log.keyPair!, () => {}, (err) => report({ type: 'problem', message: String(err) }))
  swarms.add(lan.dht)
  await feed.follow()
  await swarms.refresh()
  onChange()
}

async function offline(): Promise<void> {
  await swarms?.close()
  await feed?.close()
  swarms = null
  feed = null
}

// The author goes online at once; a member waits for the bench to say so, after the author added
// it, since the author's firewall admits only the logs of members it knows.
if (!process.env.CAIRN_INVITE) await online()
report({ type: 'ready', id: member.publicKey, log: hex(log.key!), address: lan.address })

interface Command {
  cmd: 'add' | 'send' | 'offline' | 'online' | 'order' | 'stats' | 'stop'
  members?: { id: string; log: string }[]
  text?: string
}

async function run(command: Command): Promise<void> {
  switch (command.cmd) {
    case 'add':
      for (const m of command.members!) await feed!.append(group.addMember(bytes(m.id), bytes(m.log)))
      report({ type: 'added', count: command.members!.length })
      return
    case 'send': {
      const at = now()
      await feed!.append(group.send(Buffer.from(command.text!)))
      report({ type: 'sent', text: command.text, at })
      return
    }
    case 'offline':
      await offline()
      report({ type: 'offline' })
      return
    case 'online':
      await online()
      report({ type: 'online', at: now() })
      return
    case 'order':
      report({ type: 'order', order: group.messages().map((m) => `${hex(m.author)}:${m.seq}`) })
      return
    case 'stats': {
      const cpu = process.cpuUsage()
      report({ type: 'stats', rss: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000, uptimeMs: process.uptime() * 1000, connections: swarms?.connections ?? 0, lanNodes: lan.nodes })
      return
    }
    case 'stop':
      await offline()
      await lan.close()
      await store.close()
      process.exit(0)
  }
}

// Commands run one at a time, in the order they came.
let queue = Promise.resolve()
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command
  queue = queue.then(() => run(command)).catch((err: Error) => {
    report({ type: 'error', message: err.message })
  })
})
