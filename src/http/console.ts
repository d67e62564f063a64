/**
 * The operator console (issue #14): the static files Vite built into `dist/console`, served at
 * `/console/` by @fastify/static, unsigned like `/docs` (the page holds no data; every call it
 * makes is signed in the browser). Without a build the path answers 503 naming the command that
 * builds it (`npm run build:console`, run by `npm install` through `prepare`).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** `<package root>/dist/console`, the same from `src/http` (tsx) and from `dist/http` (built). */
export const CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

export async function registerConsole(app: FastifyInstance): Promise<void> {
  app.get('/console', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console/', 302));
  if (!fs.existsSync(`${CONSOLE_DIR}index.html`)) {
    const missing = async (_req: unknown, reply: import('fastify').FastifyReply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build:console` (npm install does it), then restart campaignd.\n');
    app.get('/console/', { schema: { hide: true } }, missing);
    app.get('/console/*', { schema: { hide: true } }, missing);
    return;
  }
  await app.register(fastifyStatic, {
    root: CONSOLE_DIR,
    prefix: '/console/',
    decorateReply: false,
    index: ['index.html'],
    // Hashed asset names change with every build; the page itself must always be fresh.
    setHeaders: (res, filePath) => {
      res.header('cache-control', /[\\/]assets[\\/]/.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.header('x-content-type-options', 'nosniff');
    },
  });
}
