import vm from 'node:vm';

/**
 * Jest 30 require()s ES modules itself where the runtime can evaluate a module graph
 * synchronously (Node 24.9+); this is the capability it checks. Elsewhere (Node 20 and 22)
 * a CommonJS package that requires an ESM-only one needs that one compiled to CommonJS,
 * a transform that breaks the native path ("exports is not defined").
 */
const jestRequiresEsm = typeof vm.SourceTextModule?.prototype.hasAsyncGraph === 'function';

/** @fastify/static (CommonJS) requires this ESM-only package. */
const ESM_REQUIRED_FROM_CJS = ['content-disposition'];

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
    ...(jestRequiresEsm
      ? {}
      : {
          [`node_modules/(${ESM_REQUIRED_FROM_CJS.join('|')})/.+\\.js$`]: [
            'ts-jest',
            { tsconfig: { allowJs: true, module: 'commonjs', verbatimModuleSyntax: false }, diagnostics: false },
          ],
        }),
  },
  transformIgnorePatterns: jestRequiresEsm ? ['/node_modules/'] : [`/node_modules/(?!(${ESM_REQUIRED_FROM_CJS.join('|')})/)`],
  testTimeout: 30000,
  // Every suite builds the whole app again in a fresh module registry, and not all of it is
  // freed: in one process the heap held ~2 GB by the end of a run, with GC pauses growing
  // past 200 ms while the app's queries wait under a 1.5 s timeout. One worker (npm test sets
  // --maxWorkers=1: suites still run one at a time) is replaced once it holds this much.
  workerIdleMemoryLimit: '1GB',
  // Fails any test whose requests got answers the OpenAPI document does not describe.
  setupFilesAfterEnv: ['<rootDir>/test/support/openapi-jest-setup.ts'],
};
