import {
  indexRevocations,
  type RevocationFacts,
  type RevocationQuery,
  type RevocationStore,
} from '../core/revocation.ts';
import { fileStamp } from './jwks-file.ts';
import { readRevocationDocument, type StoredRevocation } from './revocation-document.ts';

/**
 * The local revocation store, read side (document format and its contract in
 * `revocation-document.ts`; writes go through `FileRevocationWriter`).
 *
 * The file is re-indexed whenever it changes (by mtime, ctime, size and inode), so `zta revoke`
 * in another process applies to the very next request. Unless the file holds a valid document —
 * missing, empty, truncated, corrupt, or gone while the process runs — every lookup throws
 * `RevocationUnavailable` (the authorizer denies `revocation_unavailable`), and answers recover
 * with no restart once a valid document is back.
 */
export class RevocationFileStore implements RevocationStore {
  private stamp: string | undefined;
  private index: RevocationStore = indexRevocations([]);
  private failure: Error | undefined;

  constructor(readonly path: string) {}

  lookup(query: RevocationQuery): RevocationFacts {
    this.reloadIfChanged();
    if (this.failure) throw this.failure;
    return this.index.lookup(query) as RevocationFacts;
  }

  /** Every record in force in the file (throws when the store is not a valid document). */
  records(): StoredRevocation[] {
    return readRevocationDocument(this.path).revocations;
  }

  private reloadIfChanged(): void {
    const stamp = fileStamp(this.path);
    if (stamp === this.stamp) return;
    try {
      this.index = indexRevocations(readRevocationDocument(this.path).revocations);
      this.failure = undefined;
      this.stamp = stamp;
    } catch (error) {
      // Not remembered by stamp: a read that failed for a passing reason (EMFILE, EIO) must be
      // tried again on the next lookup, not deny until the file happens to change.
      this.failure = error as Error;
      this.stamp = undefined;
    }
  }
}
