// Types of sdk/build.mjs for the unit tests.
export function bundleSdk(): Promise<{ code: Uint8Array; gzipped: number }>;
export function buildSdk(): Promise<{ bytes: number; gzipped: number }>;
export function bundleServiceWorker(): Promise<Uint8Array>;
