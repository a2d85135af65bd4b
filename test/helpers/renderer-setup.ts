// Vitest global setup of the projects whose tests serve the renderer: builds renderer-dist/ once,
// before any test file runs, so no test builds it, waits for another file's build, or sees a
// half-written folder, and every test sees the same build whichever file runs first.
import { ensureRendererBuilt } from '../../scripts/build-renderer'

export default async function setup(): Promise<void> {
  await ensureRendererBuilt()
}
