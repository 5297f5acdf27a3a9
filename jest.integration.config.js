/**
 * Integration tests that need a real server: test-integration/ runs the model registrar
 * against a real Strapi 5 (installed by integration/strapi/setup.sh). `npm run test:integration`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test-integration'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
};
