#!/usr/bin/env node
/**
 * Compiles the TypeScript (program, scripts and tests) into build/, but only when it
 * changed: every `npm run` command calls this first, and a no-op must cost milliseconds,
 * not the seconds of a `tsc` run (even `tsc --incremental` rebuilds its program).
 *
 * The build is keyed by a hash of everything tsc reads that we own or pin: the .ts files,
 * tsconfig.json and package-lock.json. When the key differs, build/ is removed and
 * compiled anew, so a deleted source (a test, say) never leaves a stale .js behind.
 *
 * Plain JavaScript on purpose: it runs before anything is compiled.
 *   node scripts/build.js           build when stale
 *   node scripts/build.js --force   build anyway
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(ROOT, 'build');
const STAMP = path.join(BUILD, '.inputs-sha256');
const SOURCES = ['main.ts', 'lib', 'scripts', 'test', 'test-integration', 'test-scale'];
const CONFIG = ['tsconfig.json', 'package-lock.json'];

function tsFiles(entry) {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return entry.endsWith('.ts') ? [entry] : [];
  return fs.readdirSync(full, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.startsWith('.'))
    .flatMap((e) => tsFiles(path.join(entry, e.name)));
}

function inputsHash() {
  const hash = crypto.createHash('sha256');
  for (const file of [...SOURCES.flatMap(tsFiles), ...CONFIG].sort()) {
    hash.update(`${file}\0`);
    hash.update(fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file)) : '');
    hash.update('\0');
  }
  return hash.digest('hex');
}

function main() {
  const key = inputsHash();
  const built = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, 'utf8') : '';
  if (built === key && !process.argv.includes('--force')) return 0;
  fs.rmSync(BUILD, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  // A larger V8 interrupt budget: tsc runs for seconds, and V8's optimizing compiler,
  // left at its default, spends much of them compiling functions that run a few times.
  const r = spawnSync(process.execPath, ['--interrupt-budget=500000', tsc, '-p', path.join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('build: the TypeScript does not compile; fix the errors above\n');
    return r.status || 1;
  }
  // The input schemas' validators, compiled ahead of time (see scripts/compile-validators.ts).
  const compiled = spawnSync(process.execPath, [path.join(BUILD, 'scripts', 'compile-validators.js')], { cwd: ROOT, stdio: 'inherit' });
  if (compiled.status !== 0) {
    process.stderr.write('build: compiling the input validators failed\n');
    return compiled.status || 1;
  }
  fs.writeFileSync(STAMP, key);
  return 0;
}

process.exitCode = main();
