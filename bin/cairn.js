#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
// The CLI is TypeScript run through tsx's loader so a checkout needs no build step.
// A 1 MB young generation: moving a large file allocates a 64 KiB buffer per chunk, and V8's default
// semi-spaces (16 MB each) let the process grow by tens of MB before those are collected
// (bench/files.bench.ts runs its peers with this line's flags).
import { register } from 'tsx/esm/api'

register()
await import('../cli/main.ts')
