// How a file in a conversation is described to the person: its kind (what plays or shows in
// place), sizes, speed and time left.
export type FileKind = 'image' | 'audio' | 'video' | 'file'

export function fileKind(mediaType: string): FileKind {
  if (mediaType === 'image/svg+xml') return 'file'
  if (mediaType.startsWith('image/')) return 'image'
  if (mediaType.startsWith('audio/')) return 'audio'
  if (mediaType.startsWith('video/')) return 'video'
  return 'file'
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

export function formatBytes(n: number): string {
  let value = n
  let unit = 0
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000
    unit++
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1
  return `${value.toFixed(digits)} ${UNITS[unit]}`
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

export function formatTimeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return ''
  if (seconds < 1) return 'almost done'
  if (seconds < 60) return `${Math.ceil(seconds)} s left`
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min left`
  return `${(seconds / 3600).toFixed(1)} h left`
}

export interface ProgressView {
  bytes: number
  size: number
  bytesPerSecond: number
  secondsLeft: number | null
}

export function progressText(p: ProgressView): string {
  const parts = [`${formatBytes(p.bytes)} of ${formatBytes(p.size)}`]
  if (p.bytesPerSecond > 0) parts.push(formatRate(p.bytesPerSecond))
  const left = formatTimeLeft(p.secondsLeft)
  if (left) parts.push(left)
  return parts.join(' · ')
}
