import * as fs from 'fs';
import * as path from 'path';

/** The repository's root: the nearest folder above this file holding assets/ (the same from lib/ and build/lib/). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'assets')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
