/**
 * Camera and microphone for a call, with fallbacks: both, else the microphone alone, else the
 * camera alone. A refused permission is not retried (asking again would only annoy). With
 * `video: false` (an audio call) only the microphone.
 */
export async function openCameraAndMicrophone(video = true): Promise<MediaStream> {
  const devices = mediaDevices();
  if (!video) return devices.getUserMedia({ audio: true });
  try {
    return await devices.getUserMedia({ audio: true, video: true });
  } catch (error) {
    if (isRefusal(error)) throw error;
    for (const constraints of [{ audio: true }, { video: true }]) {
      try {
        return await devices.getUserMedia(constraints);
      } catch {
        // try the next
      }
    }
    throw error;
  }
}

/** The screen, a window or a tab, as the user picks it. */
export async function openScreen(): Promise<MediaStream> {
  const devices = mediaDevices();
  if (typeof devices.getDisplayMedia !== 'function')
    throw new Error('This browser cannot share its screen (no getDisplayMedia).');
  return devices.getDisplayMedia({ video: true, audio: false });
}

/** Stops every track: the camera light goes off. */
export function stopTracks(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function mediaDevices(): MediaDevices {
  // Undefined outside secure contexts (plain http on a non-loopback address).
  const devices = (navigator as { mediaDevices?: MediaDevices }).mediaDevices;
  if (devices === undefined)
    throw new Error(
      'Camera, microphone and screen are only available on https:// pages (or localhost).',
    );
  return devices;
}

function isRefusal(error: unknown): boolean {
  return (
    error instanceof DOMException &&
    (error.name === 'NotAllowedError' || error.name === 'SecurityError')
  );
}
