import { afterAll, describe, expect, it } from 'vitest'
import { blake2b, blake2bStream, cryptoReady, useCryptoBackend, type BackendName } from '../../core/crypto'
import { patternBytes } from '../helpers/blobs'

describe.each<BackendName>(['native', 'wasm'])('incremental BLAKE2b (%s build)', (backend) => {
  afterAll(() => useCryptoBackend('native'))

  it('equals the one-shot hash however the input is split, and the RFC 7693 "abc" vector', async () => {
    useCryptoBackend(backend)
    await cryptoReady()
    const data = patternBytes(200_000, 3)
    for (const cut of [1, 127, 128, 129, 65_536]) {
      const h = blake2bStream(32)
      for (let i = 0; i < data.byteLength; i += cut) h.update(data.subarray(i, i + cut))
      expect(h.digest().equals(blake2b(32, data))).toBe(true)
    }
    const abc = blake2bStream(64)
    abc.update(Buffer.from('abc'))
    expect(abc.digest().toString('hex')).toBe(
      'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923'
    )
  })
})
