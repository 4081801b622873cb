/**
 * Child process for the concurrent-append test: appends `count` jti revocations tagged `tag`
 * to the store at `path`. Run as `node --import tsx append-revocations.child.ts <path> <tag> <count>`.
 */
import { RevocationFileStore } from '../../../functions/runtime/revocation-file-store.ts';

const [path, tag, count] = process.argv.slice(2);
if (!path || !tag || !count) throw new Error('usage: <path> <tag> <count>');
const store = new RevocationFileStore(path);
for (let i = 0; i < Number(count); i++) {
  store.append({ kind: 'jti', jti: `${tag}-${i}`, revokedAt: 1_767_225_600 + i });
}
