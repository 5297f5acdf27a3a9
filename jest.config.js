/**
 * Jest runs the tests as compiled by `node scripts/build.js` (tsc, which type-checks
 * them with the program): no transform at run time, so a cold run pays one tsc and no
 * per-file compilation. One synth of the test fixtures is shared by every suite
 * (test/global-setup.js).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/test'],
  testMatch: ['**/*.test.js'],
  transform: {},
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  // Suites spend much of their time waiting on helm and child processes: two workers
  // use a 2-core machine fully (jest's default there is one).
  maxWorkers: 2,
};
