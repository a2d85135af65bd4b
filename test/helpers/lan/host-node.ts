// A Cairn host in a namespace for the scenario tests: a CairnHost on the profile in CAIRN_PROFILE
// (created on first start), LAN discovery on unless CAIRN_LAN=0, and an empty bootstrap list (or a
// loopback testnet's, from CAIRN_BOOTSTRAP). Commands and reports are JSON lines (see netns.ts);
// every connection to a contact is reported as it opens and closes ('peer', 'peer-closed').
import { createInterface } from 'node:readline'
import { CairnHost } from '../../../core/host/host'
import type { CairnEvent, ContactId, Message } from '../../../core/api/types'
import { decodeContactId } from '../../../core/identity'
import type { Network, Peer } from '../../../core/net'
import { parseBootstrap } from '../../../core/profile/bootstrap'
import { startVideoSender, VideoReceiverModel } from './video-model'
import { startProbe } from './probe'

const PASSPHRASE = 'lan scenario passphrase'
const report = (r: Record<string, unknown>) => process.stdout.write(JSON.stringify(r) + '\n')

// CAIRN_DEFAULTS=1: nothing but the profile folder, as a user who touched no setting runs it (the
// public bootstrap, unreachable from the namespace, and the profile's own LAN setting).
const host = new CairnHost(
  process.env.CAIRN_DEFAULTS === '1'
    ? { profileDir: process.env.CAIRN_PROFILE! }
    : {
        profileDir: process.env.CAIRN_PROFILE!,
        bootstrap: parseBootstrap(process.env.CAIRN_BOOTSTRAP) ?? [],
        lanDiscovery: process.env.CAIRN_LAN !== '0'
      }
)
const echo = process.env.CAIRN_ECHO === '1'
const pongs = new Map<string, () => void>()
// Calls (test/lan/calls.test.ts): CAIRN_ANSWER=1 accepts every incoming call; each media frame's
// one-way time is its arrival minus the wall-clock time the sender put in it (both namespaces read
// the same machine clock).
const answer = process.env.CAIRN_ANSWER === '1'
const arrivals: Array<{ seq: number; ms: number; at: number }> = []
const callActive = new Map<string, () => void>()
// Video (test/lan/video-loss.test.ts): the app's video pipeline without the codec (./video-model.ts).
const videoIn = new Map<string, VideoReceiverModel>()
const videoOut = new Map<string, { wantKeyframe(): void }>()

host.on('event', (event: CairnEvent) => {
  if (event.type === 'message') {
    const { contact, direction, text } = event.message
    if (direction === 'in' && text.startsWith('ping ') && echo) {
      host.send(contact, `pong ${text.slice(5)}`).catch(() => {})
      return
    }
    if (direction === 'in' && text.startsWith('pong ')) {
      pongs.get(text.slice(5))?.()
      return
    }
    report({ type: 'message', contact, direction, text })
  } else if (event.type === 'network') {
    report({ type: 'network', ...event.status })
  } else if (event.type === 'request') {
    report({ type: 'request', from: event.request.id })
  } else if (event.type === 'message-state') {
    report({ type: 'state', contact: event.contact, id: event.id, state: event.state })
  } else if (event.type === 'contact') {
    report({ type: 'contact', id: event.contact.id, presence: event.contact.presence })
  } else if (event.type === 'call') {
    const { id, direction, phase } = event.call
    if (answer && direction === 'in' && phase === 'ringing') host.acceptCall(id, false).catch(() => {})
    if (phase === 'active') callActive.get(id)?.()
    report({ type: 'call', id, direction, phase })
  } else if (event.type === 'call-ended') {
    report({ type: 'call-ended', id: event.call.id, reason: event.end.reason })
  } else if (event.type === 'keyframe-request') {
    videoOut.get(event.call)?.wantKeyframe()
  } else if (event.type === 'media' && event.frame.stream === 'video') {
    let model = videoIn.get(event.call)
    if (model === undefined) {
      model = new VideoReceiverModel(() => void host.requestKeyframe(event.call, 'video').catch(() => {}))
      videoIn.set(event.call, model)
    }
    model.receive(event.frame, performance.now())
  } else if (event.type === 'media') {
    const now = performance.timeOrigin + performance.now()
    arrivals.push({ seq: event.frame.seq, ms: now - event.frame.timestampUs / 1000, at: now })
  }
})

/** Starts a call and reports how long it took to become active on this side. */
async function call(contact: ContactId): Promise<void> {
  const started = performance.now()
  // the callee's accept needs a round trip, so the call is not active before startCall returns
  const { id } = await host.startCall(contact, false)
  await new Promise<void>((resolve) => callActive.set(id, resolve))
  report({ type: 'call-active', id, setupMs: performance.now() - started })
}

/** Sends `count` audio-sized frames (80 B, 32 kbit/s) every 20 ms, each stamped with the wall clock. */
async function stream(id: string, count: number, from: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const timestampUs = Math.round((performance.timeOrigin + performance.now()) * 1000)
    await host.sendMedia(id, { stream: 'audio', keyframe: true, seq: from + i, timestampUs, data: Buffer.alloc(80, i).toString('base64') })
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  report({ type: 'streamed', count, from })
}
const existing = (await host.state()).profile !== 'none'
const me = existing ? await host.unlock(PASSPHRASE) : await host.create(process.env.CAIRN_NAME!, PASSPHRASE)
const network = () => (host as unknown as { messenger: { network: Network } }).messenger.network
// Each connection to a contact, numbered in the order they came up, and its end: a test can tell a
// connection that lived on from one that was dropped and made again.
let connections = 0
network().on('peer', (peer: Peer) => {
  const n = ++connections
  const remote = peer.remoteKey.toString('hex')
  // Who dialled, and the error the stream closed with (Hyperswarm's duplicate swap, a timeout…): what a trace needs.
  let why = ''
  peer.stream.on('error', (err: Error) => (why ||= err.message))
  // pair: the pair swarm's own connection (Noise keys are pair keys), not the inbox one of a request.
  const pair = !peer.stream.remotePublicKey.equals(peer.remoteKey)
  report({ type: 'peer', remote, lan: peer.lan, n, at: Date.now(), initiator: peer.stream.isInitiator, pair })
  peer.on('close', () => report({ type: 'peer-closed', remote, lan: peer.lan, n, at: Date.now(), why }))
})
// CAIRN_PROBE_MS: what the LAN parts did, every that many ms (probe.ts), for the scale lab's traces.
if (process.env.CAIRN_PROBE_MS) startProbe(host, Number(process.env.CAIRN_PROBE_MS), report)
report({ type: 'ready', id: me.id, name: me.name, at: Date.now(), uptimeMs: process.uptime() * 1000 })

async function history(contact: ContactId): Promise<Message[]> {
  const all: Message[] = []
  let before: string | undefined
  for (let page = 0; page < 100; page++) {
    const result = await host.history(contact, { limit: 500, before })
    all.push(...result.messages)
    if (result.before === null) break
    before = result.before
  }
  return all.reverse()
}

/** Round trips of a message to a contact that echoes (CAIRN_ECHO=1), one at a time: send() to the echo's message event. */
async function pingPong(contact: ContactId, count: number): Promise<number[]> {
  const rtts: number[] = []
  for (let i = 0; i < count; i++) {
    const sent = performance.now()
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no pong ${i}`)), 10_000)
      pongs.set(String(i), () => {
        clearTimeout(timer)
        pongs.delete(String(i))
        resolve()
      })
      host.send(contact, `ping ${i}`).catch(reject)
    })
    rtts.push(performance.now() - sent)
  }
  return rtts
}

type Command = { cmd: string; id?: ContactId; name?: string; texts?: string[]; count?: number; from?: number; lan?: boolean; code?: string; seconds?: number; keyBytes?: number; deltaBytes?: number }
// One command at a time, in the order given, as a user would.
let queue = Promise.resolve()
createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(() => run(JSON.parse(line) as Command))
})

async function run(command: Command): Promise<void> {
  try {
    if (command.cmd === 'add') {
      await host.addContact(command.id!, command.name!)
      report({ type: 'added', id: command.id, at: Date.now() })
    } else if (command.cmd === 'send') {
      const ids: string[] = []
      for (const text of command.texts!) ids.push((await host.send(command.id!, text)).id)
      report({ type: 'sent', count: command.texts!.length, ids })
    } else if (command.cmd === 'link') {
      report({ type: 'linked', ...(await host.linkHomeNode(command.code!)) })
    } else if (command.cmd === 'accept') {
      report({ type: 'accepted', id: (await host.acceptRequest(command.id!)).id })
    } else if (command.cmd === 'history') {
      const messages = await history(command.id!)
      report({ type: 'history', id: command.id, messages: messages.map(({ direction, text }) => ({ direction, text })) })
    } else if (command.cmd === 'ping') {
      report({ type: 'rtts', ms: await pingPong(command.id!, command.count ?? 100) })
    } else if (command.cmd === 'network') {
      report({ type: 'status', ...(await host.network()) })
    } else if (command.cmd === 'retry') {
      // How far the re-lookup schedule for a contact has backed off: scenarios wait on it, not on the clock.
      report({ type: 'retry', id: command.id, ms: network().retryDelayMs(decodeContactId(command.id!)) })
    } else if (command.cmd === 'settings') {
      report({ type: 'settings', ...(await host.updateSettings({ lanDiscovery: command.lan })) })
    } else if (command.cmd === 'contacts') {
      report({ type: 'contacts', contacts: (await host.contacts()).map(({ id, presence }) => ({ id, presence })) })
    } else if (command.cmd === 'call') {
      await call(command.id!)
    } else if (command.cmd === 'stream') {
      await stream(command.id!, command.count!, command.from ?? 0)
    } else if (command.cmd === 'video') {
      const id = command.id!
      const sizes = { keyBytes: command.keyBytes!, deltaBytes: command.deltaBytes! }
      const send = (frame: Parameters<typeof host.sendMedia>[1]) => void host.sendMedia(id, frame).catch(() => {})
      videoOut.set(id, startVideoSender(send, sizes, command.seconds!, (sent) => report({ type: 'video-sent', id, sent })))
    } else if (command.cmd === 'video-report') {
      report({ type: 'video-report', ...(videoIn.get(command.id!)?.report() ?? null) })
    } else if (command.cmd === 'arrivals') {
      report({ type: 'arrivals', frames: arrivals.splice(0) })
    } else if (command.cmd === 'hangup') {
      await host.hangup(command.id!)
    } else if (command.cmd === 'stats') {
      const { user, system } = process.cpuUsage()
      // The LAN swarm's DHT (the second one, when discovery is on): its queries and the requests they sent.
      const lan = network().dhts()[1]
      report({ type: 'stats', rss: process.memoryUsage().rss, cpuMs: (user + system) / 1000, uptimeMs: process.uptime() * 1000, lanQueries: lan?.stats.queries.total ?? 0, lanRequests: lan?.stats.requests.total ?? 0 })
    } else if (command.cmd === 'stop') {
      await host.close()
      report({ type: 'stopped' })
      process.exit(0)
    }
  } catch (err) {
    report({ type: 'error', cmd: command.cmd, message: err instanceof Error ? err.message : String(err) })
  }
}
