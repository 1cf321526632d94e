// The web phone's line, on the audio rendering thread: the microphone (input) becomes 20 ms mu-law frames posted to
// the page; the agent's mu-law audio posted by the page plays on the output through the jitter buffer, and each mark
// is posted back once the audio before it has played (or at once, on clear).
import { Downsampler, FrameAssembler, Playback } from './audio.js';

class PhoneLine extends AudioWorkletProcessor {
  constructor() {
    super();
    this.down = new Downsampler(sampleRate);
    this.frames = new FrameAssembler();
    this.playback = new Playback(sampleRate, { prebufferMs: 80 });
    this.lastStats = 0;
    this.port.onmessage = ({ data }) => {
      switch (data.type) {
        case 'media': this.playback.enqueue(data.bytes); break;
        case 'mark': this.playback.mark(data.name); break;
        case 'clear':
          for (const name of this.playback.clear()) this.port.postMessage({ type: 'played', name });
          break;
        default: break;
      }
    };
  }

  process(inputs, outputs) {
    const mic = inputs[0] && inputs[0][0];
    if (mic) {
      for (const frame of this.frames.push(this.down.push(mic))) {
        this.port.postMessage({ type: 'frame', bytes: frame }, [frame.buffer]);
      }
    }
    const out = outputs[0];
    if (out && out[0]) {
      for (const name of this.playback.render(out[0])) this.port.postMessage({ type: 'played', name });
      for (let c = 1; c < out.length; c++) out[c].set(out[0]);
    }
    if (currentTime - this.lastStats >= 0.25) {
      this.lastStats = currentTime;
      this.port.postMessage({ type: 'stats', playedMs: this.playback.played / 8, queuedMs: this.playback.queued / 8,
        dropped: this.playback.dropped });
    }
    return true;
  }
}

registerProcessor('phone-line', PhoneLine);
