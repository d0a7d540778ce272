// Preloaded (node --import) into every hostile case's process: on exit, writes the process's
// peak resident memory and its run time as one JSON line to file descriptor 3, which the test
// reads. A process killed by the kernel or aborted by V8 writes nothing; the test sees the signal.
import { writeSync } from 'node:fs';

const started = process.hrtime.bigint();
process.on('exit', () => {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  try {
    writeSync(3, `${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ms })}\n`);
  } catch {
    // fd 3 is not open when the script runs by hand
  }
});
