// Plain UDP sockets in a lab host for the delay relay's test: it binds the ports it is given, sends
// numbered datagrams on command, answers each datagram it receives with the same number (marked as
// an echo), and reports every datagram with the address and port it came from (JSON lines, netns.ts).
import { createSocket, type Socket } from 'node:dgram'
import { createInterface } from 'node:readline'

const report = (r: Record<string, unknown>) => process.stdout.write(JSON.stringify(r) + '\n')
const sockets = new Map<number, Socket>()

for (const port of process.env.PEER_PORTS!.split(',').map(Number)) {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(port, resolve))
  socket.on('message', (bytes, from) => {
    const [kind, n] = bytes.toString().split(' ')
    report({ type: kind, on: port, from: `${from.address}:${from.port}`, n: Number(n) })
    if (kind === 'ping') socket.send(`echo ${n}`, from.port, from.address)
  })
  sockets.set(port, socket)
}
report({ type: 'ready' })

type Command = { cmd: 'send'; from: number; host: string; port: number; count: number; gapMs: number } | { cmd: 'stop' }
createInterface({ input: process.stdin }).on('line', async (line) => {
  const c = JSON.parse(line) as Command
  if (c.cmd === 'stop') process.exit(0)
  for (let n = 0; n < c.count; n++) {
    sockets.get(c.from)!.send(`ping ${n}`, c.port, c.host)
    await new Promise((resolve) => setTimeout(resolve, c.gapMs))
  }
  report({ type: 'sent', count: c.count })
})
