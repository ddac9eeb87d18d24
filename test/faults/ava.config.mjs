// The fault suite (npm run test:faults): slower tests that try to break pssql. Not part of npm test.
export default {
  files: ['dist/test/faults/**/*.fault.js'],
  workerThreads: false,
  timeout: '5m',
  concurrency: 2,
};
