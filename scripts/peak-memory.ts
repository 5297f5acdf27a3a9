/**
 * Preloaded into a measured program (`node --require`): on exit, writes to the file named
 * by PEAK_MEMORY_FILE the process's peak resident memory in kilobytes and the CPU time
 * all its threads used, in microseconds (user and system), as JSON.
 */
import * as fs from 'fs';

/** What the preload writes. */
export interface ProcessFigures {
  readonly maxRssKb: number;
  readonly cpuMicros: number;
}

const target = process.env.PEAK_MEMORY_FILE;
if (target) {
  process.on('exit', () => {
    // Counted for the whole process, render threads that have already stopped included.
    const usage = process.resourceUsage();
    fs.writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime } satisfies ProcessFigures));
  });
}
