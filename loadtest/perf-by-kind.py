#!/usr/bin/env python3
"""Where the server's CPU goes, by kind of work: groups the samples of a `perf record -g` of the server (run with
-XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit, so Java frames have names) by
the thread and the frames of its stack, and prints one Markdown row per kind with its share of all samples.

    perf record -F 997 -g -p <server pid> -o perf.data -- sleep 20
    # after the server exited (it writes /tmp/perf-<pid>.map then):
    perf script -i perf.data -F comm,tid,ip,sym,dso > perf.txt
    loadtest/perf-by-kind.py perf.txt

The kinds are matched in the order below; the first that matches a sample takes it (see loadtest/README.md,
"Kept connections and where a talking call's CPU goes").
"""
import collections
import re
import sys


def samples(path):
    current = None
    for line in open(path, errors='replace'):
        if not line.strip():
            if current:
                yield current
            current = None
        elif not line[0].isspace():
            current = {'thread': line[:16].strip(), 'frames': []}
        elif current is not None:
            m = re.match(r'\s*[0-9a-f]+\s+(.*)\s+\((.*)\)\s*$', line)
            if m:
                current['frames'].append(m.group(1))
    if current:
        yield current


def kind(sample):
    thread, stack = sample['thread'], ' '.join(sample['frames'])
    has = lambda *names: any(n in stack for n in names)
    if 'CompilerThre' in thread:
        return 'JIT compiler'
    if thread.startswith('VM Thread') or thread.startswith('GC'):
        return 'GC (serial on one core: the VM thread)'
    if thread.startswith('MasterPoller') or has('Poller.subPollerLoop', 'EPollPoller'):
        return 'I/O poller'
    if thread.startswith('call-ticker') or has('Ticker') and not has('CallSession'):
        return 'shared clock (Ticker)'
    if has('IdleInputStream') or has('timedRead') and not has('dev.voiceagent'):
        return "vendor HTTP: Helidon's idle-connection monitor"
    if has('CallJournal', 'Sql.run', 'DeferredCallStore', 'Hikari', 'postgresql'):
        return 'database'
    if has('Playout'):
        return 'outbound audio: playout writes'
    if has('TwilioSocketListener', 'MediaFrameScanner', 'Hearing'):
        return 'inbound audio: our frame handling'
    if has('io.helidon.websocket', 'WsConnection', 'ConnectionHandler'):
        return "inbound audio: Helidon's frame reading (socket reads, unmasking)"
    if has('ReplyProducer', 'VendorHttp', 'WorkersAi', 'ElevenLabs', 'VoiceRouter', 'CallVoice', 'MuLawForwarder',
           'webclient'):
        return 'vendor HTTP: transcription, model, speech'
    if has('CallSession', 'CallInbox'):
        return 'call thread'
    if has('continuationstubs', 'Continuation.run'):
        if has('thaw', 'Thaw', 'freeze', 'Freeze', 'StackChunk'):
            return 'virtual threads: freeze/thaw'
        return 'other virtual threads'
    if thread.startswith('ForkJoinPool'):
        return 'virtual threads: carriers parking and waking'
    return 'other: ' + thread


def main():
    counts = collections.Counter(kind(s) for s in samples(sys.argv[1]))
    total = sum(counts.values())
    print(f'{total} samples')
    print('| kind | share of samples |')
    print('|---|---:|')
    for name, n in counts.most_common():
        if n * 1000 >= total:
            print(f'| {name} | {100 * n / total:.1f} % |')


if __name__ == '__main__':
    main()
