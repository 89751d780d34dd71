export declare const ROOT: string;
export declare const CHANGESET_BIN: string;
export declare function copyForVersioning(destination: string): string[];
