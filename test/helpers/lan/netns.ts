// Isolated LANs for tests and the bench: one network namespace per host, joined by veth pairs to a
// bridge in a namespace of its own. Each host's only routes are its LAN and multicast on it; every
// other destination is routed into a sink veth whose packet counter proves nothing tried to leave.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PREFIX = 'cairnlan'
const SUBNET = '10.99.0'

export interface LabHost {
  name: string
  ns: string
  address: string
  /** The bridge-side end of the host's cable, in the bridge namespace. */
  port: string
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function tryIp(...args: string[]): void {
  try {
    ip(...args)
  } catch {
    // Cleanup of something that may already be gone.
  }
}

/** Why this process cannot build namespaces, or null when it can. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs these tests as root)'
  const probe = `${PREFIX}-${process.pid}-probe`
  try {
    ip('netns', 'add', probe)
    ip('netns', 'del', probe)
    return null
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'the ip command (iproute2) is not installed'
    tryIp('netns', 'del', probe)
    const detail = err instanceof Error && 'stderr' in err ? String((err as { stderr: unknown }).stderr).trim() : String(err)
    return `the kernel refused a network namespace: ${detail}`
  }
}

/** Removes namespaces left by earlier runs whose process is gone (a run killed before its afterAll). */
export function removeLeftovers(): void {
  const listed = ip('netns', 'list')
  for (const line of listed.split('\n')) {
    const name = line.split(' ')[0]
    const match = new RegExp(`^${PREFIX}-(\\d+)-`).exec(name)
    if (!match || isAlive(Number(match[1]))) continue
    tryIp('netns', 'del', name)
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export class Lab {
  readonly hosts = new Map<string, LabHost>()
  private readonly bridge: string
  private readonly tag: string

  private constructor(tag: string) {
    this.tag = tag
    this.bridge = `${PREFIX}-${process.pid}-${tag}-br`
  }

  /** A bridge and one namespace per name, each with its own address on the bridge's subnet. */
  /** With defaultRoute false the hosts have no default route at all (two laptops on a cable), else one into the sink. */
  /**
   * staticNeighbours: every host knows every other's MAC address from the start (permanent ARP
   * entries). The kernel's ARP table is one for all namespaces, with one limit (gc_thresh3, 1,024
   * by default, settable only machine-wide): 50 hosts that each talk to the 50 others need ~2,500
   * entries, and past the limit the kernel drops what it cannot make an entry for, the multicast
   * group's included, so every host stopped hearing the others' mDNS adverts (it still heard its
   * own, looped back) a few seconds into the run ("neighbor table overflow!" in dmesg). On a real
   * LAN each host has its own table. Permanent entries are not counted against the limit.
   */
  static create(names: string[], tag = 'lab', opts: { defaultRoute?: boolean; staticNeighbours?: boolean } = {}): Lab {
    const lab = new Lab(tag)
    try {
      ip('netns', 'add', lab.bridge)
      ip('-n', lab.bridge, 'link', 'add', 'br0', 'type', 'bridge')
      ip('-n', lab.bridge, 'link', 'set', 'br0', 'up')
      names.forEach((name, i) => lab.addHost(name, `${SUBNET}.${i + 1}`, `p${i}`, opts.defaultRoute ?? true))
      if (opts.staticNeighbours) lab.addNeighbours()
    } catch (err) {
      lab.destroy()
      throw err
    }
    return lab
  }

  private addNeighbours(): void {
    const hosts = [...this.hosts.values()]
    const macs = hosts.map((h) => (JSON.parse(ip('-j', '-n', h.ns, 'link', 'show', 'lan0')) as { address: string }[])[0].address)
    for (const host of hosts) {
      const lines = hosts.flatMap((other, j) => (other === host ? [] : [`neigh replace ${other.address} lladdr ${macs[j]} dev lan0 nud permanent`]))
      execFileSync('ip', ['-n', host.ns, '-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'ignore', 'pipe'] })
    }
  }

  private addHost(name: string, address: string, port: string, defaultRoute: boolean): void {
    const ns = `${PREFIX}-${process.pid}-${this.tag}-${name}`
    ip('netns', 'add', ns)
    this.hosts.set(name, { name, ns, address, port })
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'])
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    ip('link', 'add', 'lan0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', this.bridge)
    ip('-n', this.bridge, 'link', 'set', port, 'master', 'br0')
    ip('-n', this.bridge, 'link', 'set', port, 'up')
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'lan0')
    ip('-n', ns, 'link', 'set', 'lan0', 'up')
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lan0')
    ip('-n', ns, 'link', 'add', 'sink0', 'type', 'veth', 'peer', 'name', 'sink1')
    ip('-n', ns, 'link', 'set', 'sink0', 'up')
    ip('-n', ns, 'link', 'set', 'sink1', 'up')
    if (defaultRoute) ip('-n', ns, 'route', 'add', 'default', 'dev', 'sink0')
  }

  /** The namespace of the bridge between the hosts: where a test drops the packets it forwards. */
  get bridgeNs(): string {
    return this.bridge
  }

  host(name: string): LabHost {
    const host = this.hosts.get(name)
    if (!host) throw new Error(`no host ${name} in this lab`)
    return host
  }

  /** Pulls the host's cable out of the bridge (its own interface keeps its address, as on a real LAN). */
  unplug(name: string): void {
    ip('-n', this.bridge, 'link', 'set', this.host(name).port, 'down')
  }

  plug(name: string): void {
    ip('-n', this.bridge, 'link', 'set', this.host(name).port, 'up')
  }

  /** Packets the host tried to send anywhere but its LAN, loopback or link multicast. */
  strayPackets(name: string): number {
    const out = ip('-s', '-j', '-n', this.host(name).ns, 'link', 'show', 'sink0')
    const [link] = JSON.parse(out) as { stats64: { tx: { packets: number } } }[]
    return link.stats64.tx.packets
  }

  /** Runs `node --import tsx script` inside the host's namespace, talking JSON lines on stdin/stdout. */
  /** nodeArgs: more options for node itself (a bench's --cpu-prof). */
  spawn(name: string, script: string, env: Record<string, string> = {}, nodeArgs: string[] = []): NodeProcess {
    return this.spawnIn(this.host(name).ns, name, script, env, [process.execPath, ...nodeArgs])
  }

  /**
   * The same in the bridge namespace, at the highest CPU priority: what runs there stands for the
   * network (a relay between the hosts), which does not wait for the hosts' CPUs on a real LAN.
   */
  spawnInBridge(script: string, env: Record<string, string> = {}): NodeProcess {
    return this.spawnIn(this.bridge, 'bridge', script, env, ['nice', '-n', '-20', process.execPath])
  }

  /** command: what runs the script (node, its options, and anything in front of it); a bundle (.mjs) runs without tsx. */
  private spawnIn(ns: string, name: string, script: string, env: Record<string, string>, command: string[]): NodeProcess {
    const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx']
    const child = spawn('ip', ['netns', 'exec', ns, ...command, ...loader, script], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, ...env }
    })
    return new NodeProcess(name, child)
  }

  destroy(): void {
    for (const host of this.hosts.values()) tryIp('netns', 'del', host.ns)
    this.hosts.clear()
    tryIp('netns', 'del', this.bridge)
  }
}

export type Report = { type: string } & Record<string, unknown>

/** A node in a namespace: commands go in as JSON lines, reports come out as JSON lines. */
export class NodeProcess {
  readonly reports: Report[] = []
  private waiters: { match: (r: Report) => boolean; resolve: (r: Report) => void }[] = []
  private exited: Promise<number | null>

  constructor(
    readonly name: string,
    private readonly child: ChildProcess
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
    // A node that died is reported by its missing reports; writing to it must not crash the test.
    child.stdin!.on('error', () => {})
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let report: Report
      try {
        report = JSON.parse(line) as Report
      } catch {
        return
      }
      this.reports.push(report)
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(report)) return true
        w.resolve(report)
        return false
      })
    })
  }

  /** The node's process id (`ip netns exec` runs node in its own place). */
  get pid(): number | undefined {
    return this.child.pid
  }

  send(command: Record<string, unknown>): void {
    this.child.stdin!.write(JSON.stringify(command) + '\n')
  }

  /** The first report (already received or still to come) that matches, or a rejection at the deadline. */
  wait(match: (r: Report) => boolean, timeoutMs: number, what = 'a report'): Promise<Report> {
    const seen = this.reports.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (r: Report) => {
          clearTimeout(timer)
          resolve(r)
        }
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** Asks the node to stop, and kills it if it has not exited by the deadline. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.send({ cmd: 'stop' })
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    await this.exited
    clearTimeout(timer)
  }
}

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * The script and everything it imports from the repository as one ES module (packages stay in
 * node_modules), so that many hosts start without each compiling the TypeScript through tsx: 50
 * hosts on two cores took 356 s to be ready that way, most of it compiling. Spawn the returned path;
 * call the returned remove() when done. It lives in the repository, where node_modules resolves.
 */
export async function bundle(script: string): Promise<{ path: string; remove(): void }> {
  const dir = join(ROOT, 'test-artifacts', `lab-bundle-${process.pid}-${Date.now()}`)
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'node.mjs')
  const { build } = await import('esbuild')
  await build({ entryPoints: [script], outfile: path, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' })
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
