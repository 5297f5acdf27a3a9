/**
 * Preloaded into a measured program (`node --require`): on exit, writes the process's
 * peak resident memory in kilobytes to the file named by PEAK_MEMORY_FILE.
 */
import * as fs from 'fs';

const target = process.env.PEAK_MEMORY_FILE;
if (target) {
  process.on('exit', () => fs.writeFileSync(target, String(process.resourceUsage().maxRSS)));
}
