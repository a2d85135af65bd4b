import QRCode from 'qrcode'

/**
 * The QR code for text as one SVG path (one unit square per dark module), so it renders as plain
 * markup: no canvas, no data URL, nothing a strict CSP would block.
 */
export function qrPath(text: string): { size: number; path: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const size = modules.size
  let path = ''
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (modules.get(y, x)) path += `M${x} ${y}h1v1h-1z`
    }
  }
  return { size, path }
}
