import { join } from 'node:path'
import { CairnError } from '../core/api/errors'

/** sun_path holds 108 bytes on Linux and 104 on macOS and the BSDs, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103

/** The control socket lives in the profile folder, so the folder's 0700 mode guards it too. */
export function controlSocketPath(profileDir: string): string {
  return join(profileDir, 'control.sock')
}

export function checkSocketPath(path: string): void {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new CairnError(
      'invalid-argument',
      `the control socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter --profile folder`
    )
  }
}
