// A node's HyperDHT carries many Hyperswarms (one per pair and day, one per group), since Hyperswarm
// takes one key pair per instance. Hyperswarm.destroy() destroys its DHT, so each swarm gets a view of
// the shared DHT whose destroy does nothing, and which takes back the listeners the swarm added.
import type HyperDHT from 'hyperdht'

type Listener = (...args: unknown[]) => void

export function sharedDht(dht: HyperDHT): { view: HyperDHT; release(): void } {
  const added: [string | symbol, Listener][] = []
  const view: HyperDHT = new Proxy(dht, {
    get(target, prop) {
      if (prop === 'destroy') return async () => {}
      if (prop === 'on' || prop === 'addListener') {
        return (event: string | symbol, listener: Listener) => {
          added.push([event, listener])
          target.on(event, listener)
          return view
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
  return { view, release: () => added.splice(0).forEach(([event, listener]) => dht.off(event, listener)) }
}
