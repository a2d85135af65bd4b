/** A 16-bit mono PCM WAV file holding a sine tone. */
export function toneWav(hz: number, seconds: number, sampleRate = 48_000, amplitude = 0.5): Buffer {
  const samples = Math.round(seconds * sampleRate)
  const out = Buffer.alloc(44 + samples * 2)
  out.write('RIFF', 0)
  out.writeUInt32LE(36 + samples * 2, 4)
  out.write('WAVEfmt ', 8)
  out.writeUInt32LE(16, 16)
  out.writeUInt16LE(1, 20)
  out.writeUInt16LE(1, 22)
  out.writeUInt32LE(sampleRate, 24)
  out.writeUInt32LE(sampleRate * 2, 28)
  out.writeUInt16LE(2, 32)
  out.writeUInt16LE(16, 34)
  out.write('data', 36)
  out.writeUInt32LE(samples * 2, 40)
  for (let i = 0; i < samples; i++) {
    out.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / sampleRate) * amplitude * 32767), 44 + i * 2)
  }
  return out
}

/** A 16-bit mono WAV of tone bursts: onMs of the tone at the start of every periodMs, silence between. */
export function burstWav(hz: number, periodMs: number, onMs: number, seconds: number, sampleRate = 48_000, amplitude = 0.5): Buffer {
  const wav = toneWav(hz, seconds, sampleRate, amplitude)
  const period = (periodMs * sampleRate) / 1000
  const on = (onMs * sampleRate) / 1000
  for (let i = 0; i < seconds * sampleRate; i++) if (i % period >= on) wav.writeInt16LE(0, 44 + i * 2)
  return wav
}
