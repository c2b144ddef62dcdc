import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and browser tests start real mosquitto, influxd and chromium processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: more parallel files than that only makes the real services fight for CPU.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
