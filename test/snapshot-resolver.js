// Snapshots live in the top-level __snapshots__/ folder, one file per test file, named
// after the TypeScript test (jest runs it compiled, from build/test/), so reviewers find
// every rendered example in one place.
const path = require('path');

const root = path.resolve(__dirname, '..');
const snapshots = path.join(root, '__snapshots__');
const compiled = path.join(root, 'build', 'test');

module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(snapshots, path.basename(testPath).replace(/\.js$/, '.ts') + ext),
  resolveTestPath: (snapshotPath, ext) => path.join(compiled, path.basename(snapshotPath, ext).replace(/\.ts$/, '.js')),
  testPathForConsistencyCheck: path.join(compiled, 'example.test.js'),
};
