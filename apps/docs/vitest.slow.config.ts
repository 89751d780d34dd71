import { slowSuite } from '../../vitest.shared.ts';
import config from './vitest.config.ts';

// This package's slow suite (`test:slow`, run by `pnpm test:all`): its *.slow.test.ts files.
export default slowSuite(config);
