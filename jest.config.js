/** Jest runs the TypeScript sources as native ESM through ts-jest. */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
    // @fastify/static (CommonJS) requires this ESM-only package; Node 20 loads it natively
    // but Jest's module loader cannot, so it is compiled to CommonJS for the tests.
    'node_modules/content-disposition/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', verbatimModuleSyntax: false }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  testTimeout: 30000,
  // Fails any test whose requests got answers the OpenAPI document does not describe.
  setupFilesAfterEnv: ['<rootDir>/test/support/openapi-jest-setup.ts'],
};
