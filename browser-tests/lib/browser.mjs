// Starts Debian's Chromium headless for a browser test (playwright-core; never a downloaded browser).
// The flags keep Chromium off the network this machine does not have (background networking, updates, sync),
// and, when a WAV is given, feed it to the page as the microphone.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * @param {{ fakeMicrophoneWav?: string }} options fakeMicrophoneWav: a WAV file Chromium plays as the microphone
 *   (in a loop), with the permission prompt answered yes.
 */
export async function launch(options = {}) {
  const args = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
  ];
  if (options.fakeMicrophoneWav) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${options.fakeMicrophoneWav}`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** Fails the script with a message and exit code 1 (the JUnit side prints the output). */
export function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

/** The required environment variable `name`. */
export function env(name) {
  const value = process.env[name];
  if (!value) {
    fail(`${name} is not set (the JUnit browser test sets it)`);
  }
  return value;
}
