// NestJS 12 packages ship as ES modules. Node 20 can require() them, but Jest's own module
// loader cannot, so SWC compiles them to CommonJS along with our TypeScript (cached after the first run).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs', ignoreDynamic: false },
    sourceMaps: 'inline',
  },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|strtok3|token-types|@tokenizer|uint8array-extras|@octokit|before-after-hook|universal-user-agent|json-with-bigint|content-type|fast-content-type-parse)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      // *.redis.e2e-spec.ts need a Redis server: `npm run test:pg` provides one through TEST_REDIS_URL
      testPathIgnorePatterns: ['/node_modules/', ...(process.env.TEST_REDIS_URL ? [] : ['\\.redis\\.e2e-spec\\.ts$'])],
    },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
    {
      ...common,
      displayName: 'cli',
      testMatch: ['<rootDir>/test/cli/**/*.cli-spec.ts'],
      // builds cli/ (skipped when cli/dist is newer than its sources): the tests spawn the built `devhub`
      globalSetup: '<rootDir>/test/cli/build-cli.js',
      // cli/src is ESM with .js import specifiers; its pure modules are unit-tested from their sources
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    },
  ],
  testTimeout: 30000,
};
