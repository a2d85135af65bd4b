// The web shell's guards as a real browser meets them: the renderer runs under the strict CSP
// without a single violation; a page without a valid code, a second client with a URL already used
// (even a local program forging the Origin), or a page from another origin, gets nothing.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import NodeWebSocket from 'ws'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { Browser, ShellNode } from '../helpers/e2e'

describe('web shell in Chromium', () => {
  let testnet: LocalTestnet
  let node: ShellNode
  let browser: Browser
  let evil: Server
  let evilOrigin: string

  beforeAll(async () => {
    testnet = await createLocalTestnet(3)
    node = await ShellNode.start(testnet.bootstrap)
    browser = await Browser.launch()
    // Another site on loopback that tries to reach the shell's API from its page.
    evil = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>evil</title>'))
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve))
    evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => evil?.close(resolve))
    await node?.destroy()
    await testnet?.destroy()
  })

  it('runs the renderer under the CSP with no violations and no code left in the URL', async () => {
    const page = await browser.page()
    const problems: string[] = []
    // Failed loads are judged by URL below (the browser's own favicon probe may 404).
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(msg.text())
    })
    page.on('response', (res) => {
      if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico') problems.push(`${res.status()} ${res.url()}`)
    })
    page.on('pageerror', (err) => problems.push(err.message))
    await page.goto(node.url)
    await page.getByRole('heading', { name: 'Create your identity' }).waitFor()
    expect(new URL(page.url()).hash).toBe('')
    expect(problems).toEqual([])
    // a reload in the same tab still connects (its session credential stays in this tab's storage)
    await page.reload()
    await page.getByRole('heading', { name: 'Create your identity' }).waitFor()
    expect(problems).toEqual([])
  })

  it('refuses a second client with a URL whose page has loaded, in a browser or forging the Origin', async () => {
    const spy = vi.spyOn(node.host, 'exportIdentity')
    const url = node.url
    const page = await browser.context.newPage()
    await page.goto(url)
    await page.getByRole('heading', { name: 'Create your identity' }).waitFor()

    // another tab (or another user's browser) with the very same URL
    const second = await browser.context.newPage()
    await second.goto(url)
    await second.getByRole('heading', { name: 'Cairn cannot start' }).waitFor()
    expect(await second.getByRole('alert').textContent()).toMatch(/a link works once/)
    await second.close()

    // a local program that read the URL from a process list, with every header the page would send
    const { origin, hash } = new URL(url)
    const code = new URLSearchParams(hash.slice(1)).get('code')
    const outcome = await new Promise<{ code: number; messages: string[] }>((resolve) => {
      const ws = new NodeWebSocket(`ws://${new URL(url).host}/api`, { origin })
      const messages: string[] = []
      ws.on('open', () => {
        ws.send(JSON.stringify({ kind: 'auth', code }))
        ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'exportIdentity', args: ['guessed passphrase', 'attacker chosen passphrase'] }))
      })
      ws.on('message', (d) => messages.push(d.toString()))
      ws.on('close', (closeCode) => resolve({ code: closeCode, messages }))
      ws.on('error', () => undefined)
    })
    expect(outcome).toEqual({ code: 1008, messages: [] })
    expect(spy).not.toHaveBeenCalled()

    // the page that used the URL is unaffected, even loading that spent link again in its own tab
    await page.reload()
    await page.getByRole('heading', { name: 'Create your identity' }).waitFor()
    await page.goto(url)
    await page.reload()
    await page.getByRole('heading', { name: 'Create your identity' }).waitFor()
    expect(new URL(page.url()).hash).toBe('')
    await page.close()
  })

  it('shows a clear error to a page opened without a code, or with a wrong one', async () => {
    const context = browser.context
    for (const url of [node.url.replace(/#.*$/, ''), node.url.replace(/code=.*/, `code=${'x'.repeat(43)}`)]) {
      const page = await context.newPage()
      await page.goto(url)
      await page.getByRole('heading', { name: 'Cairn cannot start' }).waitFor()
      expect(await page.getByRole('alert').textContent()).toMatch(/open the URL the shell printed/)
      await page.close()
    }
  })

  it('gives another origin nothing, even with a fresh code', async () => {
    const spy = vi.spyOn(node.host, 'state')
    const page = await browser.context.newPage()
    await page.goto(evilOrigin)
    const code = new URL(node.url).hash.replace('#code=', '')
    const outcome = await page.evaluate(
      ({ port, code }) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/api`)
          ws.onopen = () => ws.send(JSON.stringify({ kind: 'auth', code }))
          ws.onmessage = (m) => resolve(`message: ${String(m.data)}`)
          ws.onerror = () => resolve('refused')
          ws.onclose = () => resolve('refused')
        }),
      { port: node.shell.port, code }
    )
    expect(outcome).toBe('refused')
    const fetched = await page.evaluate(
      (url) => fetch(url).then((r) => r.text(), () => 'blocked'),
      `http://127.0.0.1:${node.shell.port}/`
    )
    expect(fetched).toBe('blocked')
    expect(spy).not.toHaveBeenCalled()
    await page.close()
  })
})
