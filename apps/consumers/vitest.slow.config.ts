import { slowSuite } from '../../vitest.shared.ts';
import config from './vitest.config.ts';

// `pnpm --filter @testmax/consumers test:slow`, part of the complete run (`pnpm test:all`,
// `.ci/run`): generators, compilers and other languages against the simulator behind Prism.
// One file at a time: each starts Prism and compilers, and the machine has two cores.
export default slowSuite(config, {
  include: ['slow/**/*.test.ts'],
  testTimeout: 120_000,
  hookTimeout: 60_000,
  fileParallelism: false,
});
