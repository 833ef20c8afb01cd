/** Types for mnist-slice.mjs (plain Node ESM, so the prepare script runs before anything is built). */
export declare const STARTER_COUNTS: { train: number; test: number };
export declare const STARTER_DIR: string;
export declare function sliceIdx(buf: Uint8Array, count: number): Uint8Array;
