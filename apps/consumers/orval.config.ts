// orval reads its options from a file: the spec, the fetch client, and the mutator that puts the
// base URL in front of each path at run time (typescript/orval-fetch.ts).
import { defineConfig } from 'orval';

export default defineConfig({
  testmax: {
    input: { target: '../../spec/dist/openapi.json' },
    output: {
      target: 'typescript/generated/orval/api.ts',
      client: 'fetch',
      override: { mutator: { path: 'typescript/orval-fetch.ts', name: 'orvalFetch' } },
    },
  },
});
