import { mount } from 'svelte'
import App from './App.svelte'
// Emoji where the system has no emoji font (OFL-1.1, shipped with the app; only the ranges used are fetched).
import '@fontsource/noto-color-emoji/400.css'
import playoutWorklet from './lib/call/playout-worklet.ts?worker&url'
import './app.css'

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')
mount(App, { target, props: { playoutWorklet } })
