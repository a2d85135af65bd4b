// vitest's own pipeline (vitest.config.ts) has no Svelte plugin, so component tests compile and
// load components through a Vite module runner of their own: the Svelte plugin with the browser
// build of Svelte, executed in the test's jsdom globals. Everything a component imports (Svelte
// included) comes from this one runner, so there is a single Svelte runtime.
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createRunnableDevEnvironment, createServer, type RunnableDevEnvironment, type ViteDevServer } from 'vite'
import { afterAll, beforeAll } from 'vitest'

const root = resolve(import.meta.dirname, '../../renderer')

export interface SvelteRunner {
  /** Imports a module (e.g. '/src/components/Composer.svelte', 'svelte') into the jsdom test. */
  load<T = Record<string, unknown>>(id: string): Promise<T>
  close(): Promise<void>
}

export async function startSvelteRunner(): Promise<SvelteRunner> {
  // Test files run in parallel processes; each pre-bundles into its own cache, removed afterwards.
  const cacheDir = await mkdtemp(join(tmpdir(), 'cairn-ui-vite-'))
  const server: ViteDevServer = await createServer({
    configFile: false,
    root,
    cacheDir,
    logLevel: 'error',
    appType: 'custom',
    server: { middlewareMode: true, hmr: false, ws: false, watch: null },
    plugins: [svelte({ compilerOptions: { css: 'injected' }, emitCss: false })],
    environments: {
      components: {
        consumer: 'client',
        resolve: { conditions: ['browser', 'module', 'import', 'default'], noExternal: true },
        // qrcode ships CommonJS only; pre-bundling turns it into ESM, as a browser dev server would.
        optimizeDeps: { noDiscovery: true, include: ['qrcode'] },
        dev: {
          moduleRunnerTransform: true,
          createEnvironment: (name, config) => createRunnableDevEnvironment(name, config, { hot: false })
        }
      }
    }
  })
  const env = server.environments.components as RunnableDevEnvironment
  return {
    load: (id) => env.runner.import(id),
    async close() {
      await server.close()
      await rm(cacheDir, { recursive: true, force: true })
    }
  }
}

/**
 * Registers the hooks every component test file shares: the browser stand-ins and one runner for
 * the whole file, closed after it. The returned runner may be used from the file's hooks and tests.
 */
export function useSvelteRunner(): SvelteRunner {
  let runner: SvelteRunner | undefined
  beforeAll(async () => {
    installBrowserStandIns()
    runner = await startSvelteRunner()
  })
  afterAll(() => runner?.close())
  return {
    load: (id) => runner!.load(id),
    close: () => runner!.close()
  }
}

export interface Mounted {
  container: HTMLElement
  /** Runs pending effects, then lets promises (API calls) settle and their effects run. */
  settle(): Promise<void>
  unmount(): void
}

/** Mounts a component from renderer/ into a fresh container in the jsdom document. */
export async function mountComponent(
  runner: SvelteRunner,
  path: string,
  props: Record<string, unknown>
): Promise<Mounted> {
  const svelte = await runner.load<typeof import('svelte')>('svelte')
  const Component = (await runner.load<{ default: import('svelte').Component<Record<string, unknown>> }>(path)).default
  const container = document.createElement('div')
  document.body.append(container)
  const instance = svelte.mount(Component, { target: container, props })
  svelte.flushSync()
  return {
    container,
    async settle() {
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 0))
        svelte.flushSync()
      }
    },
    unmount() {
      void svelte.unmount(instance)
      container.remove()
    }
  }
}

/**
 * jsdom has no layout, no ResizeObserver and no modal dialogs. These stand-ins give the components
 * what a browser would: observers that never fire (sizes come from `layout`), and dialogs that open.
 */
export function installBrowserStandIns(): void {
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true
  }
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.open = false
    this.dispatchEvent(new Event('close'))
  }
}

/**
 * Gives every element with this class a viewport, as layout would: a fixed clientHeight, a
 * scrollHeight equal to its first child's declared height, and a scrollTop that scrolling sets
 * (clamped as a browser clamps it). Other elements keep jsdom's behaviour.
 */
export function emulateScrollers(className: string, viewport: number): void {
  const tops = new WeakMap<Element, number>()
  const matches = (el: Element) => el.classList.contains(className)
  const content = (el: Element) => Math.max(viewport, parseFloat((el.firstElementChild as HTMLElement | null)?.style.height || '0'))
  const original = (name: string) => Object.getOwnPropertyDescriptor(Element.prototype, name)!
  const clientHeight = original('clientHeight')
  const scrollHeight = original('scrollHeight')
  const scrollTop = original('scrollTop')
  Object.defineProperties(HTMLElement.prototype, {
    clientHeight: {
      configurable: true,
      get(this: HTMLElement) {
        return matches(this) ? viewport : clientHeight.get!.call(this)
      }
    },
    scrollHeight: {
      configurable: true,
      get(this: HTMLElement) {
        return matches(this) ? content(this) : scrollHeight.get!.call(this)
      }
    },
    scrollTop: {
      configurable: true,
      get(this: HTMLElement) {
        return matches(this) ? (tops.get(this) ?? 0) : scrollTop.get!.call(this)
      },
      set(this: HTMLElement, v: number) {
        if (matches(this)) tops.set(this, Math.max(0, Math.min(v, content(this) - viewport)))
        else scrollTop.set!.call(this, v)
      }
    }
  })
}
