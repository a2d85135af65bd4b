import { readFileSync } from 'node:fs'
import { CairnError } from '../core/api/errors'
import { integerOption, parseCommandLine } from './args'
import { createContext } from './context'
import { EXIT, exitCodeFor } from './exit-codes'
import { helpText } from './help'

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv)
  if (parsed.kind === 'help') {
    process.stdout.write(helpText(parsed.command))
    return EXIT.ok
  }
  if (parsed.kind === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    process.stdout.write(`${pkg.version}\n`)
    return EXIT.ok
  }

  const ctx = createContext(parsed.globals, process.env, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr
  })
  // The core (storage, networking, crypto) loads only once the command line is known to be valid,
  // so help and usage errors answer at once.
  const name = parsed.command.name
  if (name === 'home') {
    const { runHome } = await import('./home/main')
    await runHome(ctx, parsed.positionals, parsed.options)
  } else if (name === 'web-url') {
    const { printWebUrl } = await import('./web-url')
    await printWebUrl(ctx)
  } else if (name === 'run' || name === 'serve') {
    const { runDaemon } = await import('./daemon')
    await runDaemon(ctx, {
      webShellPort: name === 'serve' ? (integerOption('port', parsed.options.port, 0, 65535) ?? 0) : undefined,
      since: integerOption('since', parsed.options.since, 0, Number.MAX_SAFE_INTEGER)
    })
  } else {
    const { runOneShot } = await import('./commands')
    await runOneShot(ctx, parsed)
  }
  return EXIT.ok
}

function oneLine(err: unknown): string {
  return CairnError.from(err).message.replace(/\s*\n\s*/g, ' ')
}

// A reader that stops early (`cairn history x | head`) is not an error worth a stack trace: a
// one-shot command has nothing left to say, and a running node stops cleanly (see runDaemon).
process.stdout.on('error', () => undefined)

let code: number
try {
  code = await main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`cairn: ${oneLine(err)}\n`)
  code = exitCodeFor(err)
}
// Networking libraries can keep timers alive after close; the command is over once output drains.
process.stdout.write('', () => process.exit(code))
