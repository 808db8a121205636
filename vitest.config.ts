import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Network-namespace tests share the kernel; never run two files that touch it at once.
    fileParallelism: true,
    testTimeout: 20_000,
    // Ink renders only the last frame when it detects CI (is-in-ci); the TUI tests drive an
    // interactive terminal, so tell libraries they are not in CI even when .ci/run sets CI=true.
    env: { CI: 'false' },
    hookTimeout: 60_000,
  },
});
