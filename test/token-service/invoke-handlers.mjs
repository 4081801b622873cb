// Runs the four Lambda handler modules as Lambda would (module scope reads the environment,
// then one invocation each), against the endpoints the parent test put in the environment.
// Prints one JSON line per invocation.
import { register } from 'tsx/esm/api';

register();
const root = new URL('../../functions/', import.meta.url);
const load = (path) => import(new URL(path, root).href);
const scheduled = await load('key-rotation/scheduled-handler.ts');
const onDemand = await load('key-rotation/on-demand-handler.ts');
const jwks = await load('token-service/jwks-handler.ts');
const token = await load('token-service/token-handler.ts');

const print = (name, value) => process.stdout.write(`${JSON.stringify({ name, value })}\n`);
const event = JSON.parse(process.env.TEST_PROXY_EVENT);

print('scheduled', await scheduled.handler({}));
print(
  'jwks',
  await jwks.handler({ ...event, httpMethod: 'GET', path: '/.well-known/jwks.json', body: null }),
);
print('token', await token.handler(event));
print('status', await onDemand.handler({ action: 'status' }));
