/**
 * `npm run gen:client`: starts campaignd in-process (engine off, temporary data directory),
 * takes its OpenAPI document and writes src/client/generated.ts from it (client/generate.ts).
 * test/client-generated.test.ts fails while the committed file differs from a fresh run.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clientSource, type OpenApiDocument } from '../src/client/generate.js';
import { startTestServer } from './helpers.js';

export const GENERATED = fileURLToPath(new URL('../src/client/generated.ts', import.meta.url));

/** The generated client's source for the server's current contract. */
export async function freshClientSource(): Promise<string> {
  const s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  try {
    return clientSource(s.app.swagger() as unknown as OpenApiDocument);
  } finally {
    await s.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(GENERATED, await freshClientSource());
  console.log(`wrote ${GENERATED}`);
}
