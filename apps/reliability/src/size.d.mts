export interface BundleSize {
  /** Minified bytes. */
  minified: number;
  /** Gzip (level 9) bytes of the minified bundle. */
  gzip: number;
  /** Modules the bundle pulled in (paths as esbuild reports them). */
  inputs: string[];
  /** Node built-ins the bundle imports: none for a runtime-neutral entry. */
  nodeBuiltins: string[];
}

export const SDK_ENTRY: string;
export function bundleSize(source?: string, plugins?: import('esbuild').Plugin[]): Promise<BundleSize>;
