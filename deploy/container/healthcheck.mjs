// The container image's HEALTHCHECK: GET / on the node's own port must answer 200 within 4 s.
// Reads the port, host and TLS settings from the same SIGMESH_* variables the node does (a node
// configured by --config FILE alone is checked on the image's defaults). Exit 0 healthy, 1 not.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const env = process.env;
const port = Number(env.SIGMESH_PORT || 8000);
const bound = env.SIGMESH_HOST || '0.0.0.0';
const host = bound === '0.0.0.0' || bound === '::' ? '127.0.0.1' : bound;
const tls = Boolean(env.SIGMESH_TLS_CERT);
// A certificate is for the public name, not 127.0.0.1: liveness is checked, not the certificate.
const request = (tls ? httpsRequest : httpRequest)(
  { host, port, path: '/', headers: { accept: 'application/json' }, rejectUnauthorized: false },
  (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
  },
);
request.setTimeout(4000, () => request.destroy(new Error('no answer within 4 s')));
request.on('error', (error) => {
  console.error(`unhealthy: ${error.message}`);
  process.exit(1);
});
request.end();
