// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, describe, expect, test } from 'vitest'
import { fileKind, formatBytes, formatTimeLeft, progressText } from '../../renderer/src/lib/files'
import { formatDuration, isVoiceNote, playableType, recordingType, voiceNoteName, waveform, WAVEFORM_BARS } from '../../renderer/src/lib/voice'
import { mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const runner = useSvelteRunner()
let mounted: Mounted | undefined
afterEach(() => mounted?.unmount())

const PREVIEW = 'data:image/jpeg;base64,/9j/2Q=='

function view(over: Record<string, unknown> = {}) {
  return { name: 'beach.jpg', size: 2_400_000, mediaType: 'image/jpeg', preview: PREVIEW, width: 1200, height: 800, state: 'offered', error: null, ...over }
}

async function card(file: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const calls: string[] = []
  mounted = await mountComponent(runner, '/src/components/FileCard.svelte', {
    file,
    ondownload: () => calls.push('download'),
    oncancel: () => calls.push('cancel'),
    onsave: () => calls.push('save'),
    ...extra
  })
  return { ui: within(mounted.container), calls }
}

describe('a file in a conversation', () => {
  test('an offered image shows its preview and a labelled Download button', async () => {
    const { ui, calls } = await card(view())
    expect((ui.getByAltText('Preview of beach.jpg') as HTMLImageElement).src).toBe(PREVIEW)
    expect(ui.getByText('2.4 MB · image/jpeg')).toBeTruthy()
    await fireEvent.click(ui.getByRole('button', { name: 'Download beach.jpg' }))
    expect(calls).toEqual(['download'])
  })

  test('a download in progress shows a labelled progress bar, announces speed and time left, and can be cancelled', async () => {
    const { ui, calls } = await card(view({ state: 'downloading' }), {
      progress: { bytes: 1_200_000, size: 2_400_000, bytesPerSecond: 400_000, secondsLeft: 3 }
    })
    const bar = ui.getByRole('progressbar', { name: 'Downloading beach.jpg' }) as HTMLProgressElement
    expect([bar.value, bar.max]).toEqual([1_200_000, 2_400_000])
    expect(ui.getByRole('status').textContent).toBe('1.2 MB of 2.4 MB · 400 KB/s · 3 s left')
    await fireEvent.click(ui.getByRole('button', { name: 'Cancel downloading beach.jpg' }))
    expect(calls).toEqual(['cancel'])
  })

  test('my own file that the contact is fetching shows how far they are, and stays ready to save', async () => {
    const { ui } = await card(view({ state: 'ready' }), {
      sending: true,
      progress: { bytes: 600_000, size: 2_400_000, bytesPerSecond: 200_000, secondsLeft: 9 }
    })
    const bar = ui.getByRole('progressbar', { name: 'Sending beach.jpg' }) as HTMLProgressElement
    expect([bar.value, bar.max]).toEqual([600_000, 2_400_000])
    expect(ui.getByRole('status').textContent).toBe('Sent 600 KB of 2.4 MB · 200 KB/s · 9 s left')
    expect(ui.getByRole('button', { name: 'Save beach.jpg' })).toBeTruthy()
  })

  test('a ready image shows the whole picture from the shell, and Save', async () => {
    const { ui, calls } = await card(view({ state: 'ready' }), { src: 'http://127.0.0.1:1/files/x' })
    expect((ui.getByAltText('beach.jpg') as HTMLImageElement).src).toBe('http://127.0.0.1:1/files/x')
    await fireEvent.click(ui.getByRole('button', { name: 'Save beach.jpg' }))
    expect(calls).toEqual(['save'])
  })

  test('a failed download says why and offers Retry; audio plays in place once ready', async () => {
    const failed = await card(view({ state: 'failed', error: "The file's content does not match its hash" }))
    expect(failed.ui.getByRole('status').textContent).toBe("The file's content does not match its hash")
    expect(failed.ui.getByRole('button', { name: 'Retry downloading beach.jpg' })).toBeTruthy()
    mounted!.unmount()
    const voice = await card(view({ name: 'note.ogg', mediaType: 'audio/ogg', preview: null, state: 'ready' }), { src: 'http://127.0.0.1:1/f' })
    expect(voice.ui.getByLabelText('Play note.ogg').tagName).toBe('AUDIO')
  })
})

describe('a voice note and forwarding', () => {
  test('a voice note shows as one, with a labelled play button, a waveform and its player; Forward is offered when possible', async () => {
    const { ui, calls } = await card(view({ name: 'voice-note-2026-12-01-071200.webm', mediaType: 'audio/vnd.cairn.voice+webm', preview: null, state: 'ready' }), {
      src: 'blob:x',
      // jsdom decodes no audio: the note is drawn flat, with no duration
      load: () => Promise.resolve(new Blob([new Uint8Array(4)])),
      onforward: () => calls.push('forward')
    })
    expect(ui.getByText('Voice note')).toBeTruthy()
    expect(ui.getByRole('group', { name: 'Voice note' })).toBeTruthy()
    expect(ui.getByRole('button', { name: 'Play voice note' })).toBeTruthy()
    expect(ui.getByLabelText('Voice note voice-note-2026-12-01-071200.webm').tagName).toBe('AUDIO')
    expect(ui.getByTestId('waveform').children).toHaveLength(WAVEFORM_BARS)
    await fireEvent.click(ui.getByRole('button', { name: 'Forward voice-note-2026-12-01-071200.webm' }))
    expect(calls).toEqual(['forward'])
  })

  test('without anyone to forward to, there is no Forward button', async () => {
    const { ui } = await card(view({ state: 'ready' }), { src: 'blob:y' })
    expect(ui.queryByRole('button', { name: /^Forward/ })).toBeNull()
  })
})

test('voice note wording and waveform', () => {
  expect([formatDuration(0), formatDuration(7.9), formatDuration(61), formatDuration(3725)]).toEqual(['0:00', '0:07', '1:01', '1:02:05'])
  expect(voiceNoteName(new Date(2026, 11, 1, 7, 5, 9), 'webm')).toBe('voice-note-2026-12-01-070509.webm')
  expect(recordingType((t) => t.startsWith('audio/webm'))).toMatchObject({ mediaType: 'audio/vnd.cairn.voice+webm', extension: 'webm' })
  expect(recordingType((t) => t.startsWith('audio/ogg'))).toMatchObject({ mediaType: 'audio/vnd.cairn.voice+ogg' })
  expect(recordingType(() => false)).toBeNull()
  expect([isVoiceNote('audio/vnd.cairn.voice+ogg'), isVoiceNote('audio/ogg'), playableType('audio/vnd.cairn.voice+webm')]).toEqual([true, false, 'audio/webm'])
  const samples = new Float32Array(100)
  samples[10] = -0.5
  samples[60] = 0.25
  expect(waveform(samples, 4)).toEqual([1, 0, 0.5, 0])
  expect(waveform(new Float32Array(10), 3)).toEqual([0, 0, 0])
  expect(waveform(new Float32Array(0), 2)).toEqual([0, 0])
})

test('file wording', () => {
  expect([fileKind('image/gif'), fileKind('image/svg+xml'), fileKind('video/mp4'), fileKind('application/pdf')]).toEqual(['image', 'file', 'video', 'file'])
  expect([formatBytes(999), formatBytes(1000), formatBytes(52_428_800), formatBytes(3e9)]).toEqual(['999 B', '1.0 KB', '52.4 MB', '3.0 GB'])
  expect([formatTimeLeft(null), formatTimeLeft(0.5), formatTimeLeft(59.2), formatTimeLeft(600), formatTimeLeft(7200)]).toEqual(['', 'almost done', '60 s left', '10 min left', '2.0 h left'])
  expect(progressText({ bytes: 0, size: 1000, bytesPerSecond: 0, secondsLeft: null })).toBe('0 B of 1.0 KB')
})
