// The delay relay (./delay-relay.ts) as a process in a lab's bridge namespace, started by
// ./delayed-path.ts: options from the environment, commands and reports as JSON lines (see netns.ts).
import { createInterface } from 'node:readline'
import { DelayRelay } from './delay-relay'

const report = (r: Record<string, unknown>) => process.stdout.write(JSON.stringify(r) + '\n')
const [first, count] = process.env.RELAY_PORTS!.split('+').map(Number)

const relay = await DelayRelay.start({
  address: process.env.RELAY_ADDRESS!,
  catchPorts: Array.from({ length: count }, (_, i) => first + i),
  meanMs: Number(process.env.RELAY_MEAN_MS),
  spreadMs: Number(process.env.RELAY_SPREAD_MS)
})
report({ type: 'ready' })

createInterface({ input: process.stdin }).on('line', (line) => {
  const { cmd } = JSON.parse(line) as { cmd: string }
  if (cmd === 'stats') report({ type: 'stats', ...relay.stats() })
  else if (cmd === 'stop') {
    relay.close()
    report({ type: 'stopped' })
    process.exit(0)
  }
})
