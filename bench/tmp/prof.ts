import fs from 'node:fs';
import { startCampaignd } from '../lib/processes.js';
import { throughput } from '../lib/load.js';
import { KEY_ENV, signedRequest, createCampaign } from '../lib/signed.js';
fs.rmSync('/tmp/prof', { recursive: true, force: true });
const cd = await startCampaignd({ ...KEY_ENV, CAMPAIGND_DATA_DIR: fs.mkdtempSync('/tmp/pp-'), CAMPAIGND_LOG_LEVEL: 'warn' }, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']);
const id = await createCampaign(cd.url, 'x');
const reqs = Array.from({ length: 20000 }, (_, n) =>
  signedRequest(
    cd.url,
    'POST',
    '/rest/isales/v1/openapi/campaigns/1/appoint/create',
    JSON.stringify({ callType: 2, calledNo: String(13800000000 + n), taskId: String(id), appointTime: Date.now() + 86400000, remark: 'b' }),
  ),
);
console.log(await throughput(cd.url, reqs, 32, 10));
await cd.stop();
