/**
 * Child process for the concurrent-writer test: revokes `count` jtis tagged `tag` in the store at
 * `path`, through the one write path. Run as
 * `node --import tsx append-revocations.child.ts <path> <tag> <count>`.
 */
import { FileRevocationWriter } from '../../../functions/runtime/revocation-file-writer.ts';

const [path, tag, count] = process.argv.slice(2);
if (!path || !tag || !count) throw new Error('usage: <path> <tag> <count>');
const writer = new FileRevocationWriter(path);
for (let i = 0; i < Number(count); i++) {
  const audit = {
    actor: `test:${tag}`,
    reason: 'concurrency',
    requestId: `${tag}-${i}`,
    trigger: 'manual' as const,
  };
  await writer.revoke({ kind: 'jti', jti: `${tag}-${i}` }, 1_767_225_600 + i, audit);
}
