// A Cairn node with its web shell in a namespace, for the call tests and bench that drive the app in
// Chromium across a namespace LAN: a CairnHost on CAIRN_PROFILE with nothing but the profile folder
// set (LAN discovery on, the public bootstrap unreachable from the namespace), an identity named
// CAIRN_NAME, and the web shell on the namespace's loopback, where a Chromium started in the same
// namespace opens it. Commands and reports are JSON lines (see netns.ts).
import { createInterface } from 'node:readline'
import type { CairnEvent, ContactId } from '../../../core/api/types'
import { CairnHost } from '../../../core/host/host'
import { startProfileWebShell } from '../../../shell/profile-port'

const report = (r: Record<string, unknown>) => process.stdout.write(JSON.stringify(r) + '\n')

const host = new CairnHost({ profileDir: process.env.CAIRN_PROFILE! })
const me = await host.create(process.env.CAIRN_NAME!, 'lan call passphrase')
const shell = await startProfileWebShell(process.env.CAIRN_PROFILE!, { host })

host.on('event', (event: CairnEvent) => {
  if (event.type === 'contact') report({ type: 'contact', id: event.contact.id, presence: event.contact.presence })
  else if (event.type === 'call') report({ type: 'call', id: event.call.id, phase: event.call.phase })
  else if (event.type === 'call-ended') report({ type: 'call-ended', id: event.call.id, reason: event.end.reason })
})
report({ type: 'ready', id: me.id, url: shell.newUrl() })

type Command = { cmd: string; id?: ContactId; name?: string }
let queue = Promise.resolve()
createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(() => run(JSON.parse(line) as Command))
})

async function run(command: Command): Promise<void> {
  try {
    if (command.cmd === 'add') {
      await host.addContact(command.id!, command.name!)
      report({ type: 'added', id: command.id })
    } else if (command.cmd === 'cpu') {
      const { user, system } = process.cpuUsage()
      report({ type: 'cpu', ms: (user + system) / 1000 })
    } else if (command.cmd === 'stop') {
      await shell.close()
      await host.close()
      report({ type: 'stopped' })
      process.exit(0)
    }
  } catch (err) {
    report({ type: 'error', cmd: command.cmd, message: err instanceof Error ? err.message : String(err) })
  }
}
