/** The baseline: a bare Fastify route that parses JSON and answers an envelope, nothing else. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/rest/isales/v1/openapi/campaigns/:vdnId/appoint/create', async () => ({
  resultCode: '0200000',
  resultDesc: 'success',
  returnCode: '0200000',
  returnDesc: 'success',
  returnObject: { id: '174712034211433247704877116507', appointId: '174712034211433247704877116507' },
}));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`LISTENING ${address}\n`);
