// Microphone and camera for a call, with the browser's echo canceller, noise suppression and gain
// control on (the platform's own voice processing, the same WebRTC applies to its calls).
// Not judged: whether Chromium's echo canceller also cancels what the call plays through its
// AudioWorklet (WebRTC's own playout is its reference signal; this path's may not be). Headless
// Chromium with fake devices has no loudspeaker-to-microphone path, so no test here can tell; it
// needs a check on real hardware (play a known signal, record the microphone, look for it).
export interface CaptureOptions {
  audio: boolean
  video: boolean
  microphoneId?: string
  cameraId?: string
  /** Defaults: 1280×720 at 30 frames a second. */
  width?: number
  height?: number
}

export const VIDEO_WIDTH = 1280
export const VIDEO_HEIGHT = 720
export const VIDEO_FPS = 30

export async function openCapture(o: CaptureOptions): Promise<MediaStream> {
  const audio: MediaTrackConstraints | false = o.audio
    ? {
        echoCancellation: true,
        noiseSuppression: true,
        autoGainControl: true,
        channelCount: 1,
        ...(o.microphoneId ? { deviceId: { exact: o.microphoneId } } : {})
      }
    : false
  const video: MediaTrackConstraints | false = o.video
    ? {
        width: { ideal: o.width ?? VIDEO_WIDTH },
        height: { ideal: o.height ?? VIDEO_HEIGHT },
        frameRate: { ideal: VIDEO_FPS },
        ...(o.cameraId ? { deviceId: { exact: o.cameraId } } : {})
      }
    : false
  return navigator.mediaDevices.getUserMedia({ audio, video })
}

export function stopCapture(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop()
}
