import { COMMANDS, usageLine, type CommandSpec } from './args'
import { EXIT } from './exit-codes'

const GLOBAL_HELP = `Global options (before or after the command):
  --profile DIR             profile folder (default: $CAIRN_PROFILE, else the per-user data folder)
  --bootstrap HOST:PORT,…   DHT bootstrap nodes (default: $CAIRN_BOOTSTRAP, else the public HyperDHT)
  --no-lan                  do not look for peers on the local network
  --passphrase-file FILE    read the passphrase from the first line of FILE
  --json                    print data as JSON (one document per command; one line per event for run/serve)
  -h, --help                show this help, or a command's
  --version                 print the version

The passphrase comes from --passphrase-file, else $CAIRN_PASSPHRASE, else a prompt on the terminal.
A backup's own passphrase (export, restore) comes from $CAIRN_BACKUP_PASSPHRASE, else a prompt.
While \`cairn run\` or \`cairn serve\` holds a profile, the other commands go through its control
socket (control.sock in the profile folder) and need no passphrase. Without a running node they
open the profile themselves, write what they must, and exit; messages go out when the node next runs.

Exit status:
  ${EXIT.ok}  success
  ${EXIT.runtime}  the command failed (no profile, unknown contact, profile busy, …)
  ${EXIT.usage}  usage error: unknown command or option, missing or malformed argument or contact ID
  ${EXIT.passphrase}  no passphrase available, or a wrong one
  ${EXIT.unknown}  send, reply: the node went away during the call, so the message may or may not be
     stored; run the same command with the same --client-id again: it is stored and sent once
A failed send or reply says which: "the message was not stored" (any status but 4, nothing was
written) or "the message may have been stored" (status 4).
`

export function helpText(command?: CommandSpec): string {
  if (command) return `usage: ${usageLine(command)}\n\n${command.summary}\n\n${GLOBAL_HELP}`
  const width = Math.max(...COMMANDS.map((c) => usageLine(c).length - 'cairn '.length))
  const lines = COMMANDS.map((c) => `  ${usageLine(c).slice('cairn '.length).padEnd(width)}  ${c.summary}`)
  return `usage: cairn [global options] COMMAND [arguments]\n\nCommands:\n${lines.join('\n')}\n\n${GLOBAL_HELP}`
}
