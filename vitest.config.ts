import { defineConfig } from 'vitest/config'

// Five projects, so a change can be checked at the speed of its kind of test:
//   unit  in-process: codecs, crypto, frozen formats, shells with stand-in hosts   npm run test:unit
//   net   real Hyperswarm/Hypercore on a loopback testnet, CLI and child processes  npm run test:net
//   lan   Linux network namespaces (needs root)                                     npm run test:lan
//   e2e   the renderer: Svelte components in jsdom, the app in Chromium            npm run test:e2e
//   lab   calls between two apps in Chromium: in namespaces, and through two shells  npm run test:lab
// `npm test` runs all five. The renderer is built once, before the projects that serve it.
// The namespace tests run after the others, and the call labs last and one at a time: on a
// 2-core machine a lab's two Chromiums beside other files starved its pages (CI: a video call's
// tone heard in 0 of 20 s at load 10-20, 20 of 20 alone), and five-host LANs timed out beside them.
// The call through two web shells is one of them for the same reason (CI: a shared screen's frames
// reached Bob at 0.5 a second beside three other files, 10 a second alone).
const NET = [
  'test/net/{contacts,dual,hostile,lifecycle,requests,invites,privacy,inbox-fairness,file-resume,relay-pings,late-dial}.test.ts',
  'test/core/**/*.test.ts',
  'test/cli/{backup,calls,changes,control-socket,delete,durable-events,groups,nodes,run-wait,search,send-outcome,usage}.test.ts',
  'test/shell/{ipc-host,electron-files}.test.ts',
  'test/groups/{replication,swarm,messenger,mesh}.test.ts',
  'test/media/{call,call-manager,call-stream}.test.ts',
  'test/home/{box,refusals,prekeys,expiry,progress,scenarios,messenger,cli}.test.ts'
]
const LAN = ['test/lan/{defaults,scenarios,network,discovery,runtime,groups,home,move-to-lan,scale,calls,delay-relay,video-loss}.test.ts']
const E2E = ['test/e2e/**/*.test.ts', 'test/shell/start.test.ts', 'test/ui/*.test.ts', 'test/media/browser-media.test.ts']
// The LAN call tests run the app in Chromium inside the namespaces: they need the built renderer too.
const LAB = ['test/lan/call-*.test.ts', 'test/e2e/calls.test.ts']
const RENDERER = './test/helpers/renderer-setup.ts'

export default defineConfig({
  test: {
    pool: 'forks',
    // Most files wait on sockets, timers and child processes rather than the CPU, so more files
    // run at once than there are cores.
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...NET, ...LAN, ...E2E, ...LAB] } },
      { extends: true, test: { name: 'net', include: NET, globalSetup: RENDERER } },
      { extends: true, test: { name: 'e2e', include: E2E, exclude: ['**/node_modules/**', ...LAB], globalSetup: RENDERER } },
      { extends: true, test: { name: 'lan', include: LAN, maxWorkers: 2, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'lab', include: LAB, globalSetup: RENDERER, maxWorkers: 1, sequence: { groupOrder: 2 } } }
    ]
  }
})
