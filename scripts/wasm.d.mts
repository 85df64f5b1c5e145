// Types of scripts/wasm.mjs, for the test that checks the committed kernels are up to date.
export const KERNELS: string[];
export function assemble(watPath: string): Promise<Buffer>;
export function generatedPath(watPath: string): string;
export function generatedSource(watPath: string, bytes: Buffer): string;
