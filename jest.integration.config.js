/**
 * Integration tests that need a real server: test-integration/ runs the model registrar
 * against a real Strapi 5 (installed by integration/strapi/setup.sh). `npm run test:integration`.
 * They run compiled, like the unit tests (`node scripts/build.js`).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/test-integration'],
  testMatch: ['**/*.test.js'],
  transform: {},
};
