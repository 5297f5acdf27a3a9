/**
 * Tests at scale: test-scale/ synthesizes a platform of 1000 workspaces and checks the
 * way past one Helm release with a real helm. `npm run test:scale`; .ci/run runs it.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/test-scale'],
  testMatch: ['**/*.test.js'],
  transform: {},
};
