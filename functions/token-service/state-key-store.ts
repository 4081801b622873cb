import type { JwksDocument, KeyInfo, SigningKeyStore } from '../signing/types.ts';
import { jwksDocument, keyInfo, publishedKeys, type RotationTiming } from '../workload-keys/state.ts';
import type { RotationStateStore } from '../workload-keys/state-store.ts';

export interface StateKeyStoreOptions {
  readonly store: RotationStateStore;
  readonly rotationId: string;
  readonly timing: RotationTiming;
  /** Epoch seconds. @default Date.now / 1000 */
  readonly clock?: () => number;
}

/**
 * The KMS issuer's published keys, read from the rotation state on every call: the rotator's
 * state write is what publishes a key, and an emergency removal must show on the next request.
 * The JWKS response's own max-age bounds how often this runs.
 */
export class StateKeyStore implements SigningKeyStore {
  private readonly clock: () => number;

  constructor(private readonly options: StateKeyStoreOptions) {
    this.clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  }

  async listKeys(): Promise<readonly KeyInfo[]> {
    const state = await this.options.store.load(this.options.rotationId);
    return publishedKeys(state, this.clock(), this.options.timing).map((k) =>
      keyInfo(k, this.options.timing),
    );
  }

  async publicJwks(): Promise<JwksDocument> {
    const state = await this.options.store.load(this.options.rotationId);
    return jwksDocument(state, this.clock(), this.options.timing);
  }
}
