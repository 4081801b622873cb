import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRequest } from '../../functions/key-rotation/executor.ts';
import { Crash, crashAfterChange } from './helpers.ts';
import { startWorld, type World } from './world.ts';

const PERIOD = 14_400;
const DELAY = 3600;
const GRACE = 990;

interface Phase {
  /** Brings a fresh world to the moment the step is due; returns the request that performs it. */
  prepare(world: World): Promise<RunRequest>;
  /** How many changes (KMS calls that change something, state writes) the step makes. */
  readonly changes: number;
  /** The keys once the step completed: `generation:status`, compromised marked `!`. */
  readonly after: string[];
}

const PHASES: Record<string, Phase> = {
  'bootstrap (create + activate the first key)': {
    // creating marker, CreateKey, record next, alias, record active
    prepare: async () => ({ kind: 'scheduled' }),
    changes: 5,
    after: ['1:active'],
  },
  'create-next': {
    prepare: async (w) => {
      await w.rotate();
      w.now += PERIOD - DELAY;
      return { kind: 'scheduled' };
    },
    changes: 3,
    after: ['1:active', '2:next'],
  },
  activate: {
    prepare: async (w) => {
      await w.rotate({ kind: 'rotate' });
      w.now += DELAY;
      return { kind: 'scheduled' };
    },
    changes: 2,
    after: ['1:retired', '2:active'],
  },
  'remove (disable + schedule deletion)': {
    prepare: async (w) => {
      await w.rotate({ kind: 'rotate' });
      w.now += DELAY;
      await w.rotate();
      w.now += GRACE + 1;
      return { kind: 'scheduled' };
    },
    changes: 2,
    after: ['2:active'],
  },
  'emergency (mark, replace, activate, remove)': {
    prepare: async (w) => {
      await w.rotate();
      w.now += 60;
      return { kind: 'emergency' };
    },
    // mark; creating marker, CreateKey, record next; alias, record active; disable, record removal
    changes: 8,
    after: ['2:active'],
  },
};

const summary = async (world: World) =>
  (await world.state()).keys.map(
    (k) => `${k.generation}:${k.status}${k.compromisedAt === undefined ? '' : '!'}`,
  );

/** The kid the signer would use now: the key behind the alias. */
async function signingKid(world: World): Promise<string | undefined> {
  const response = await world.requestToken();
  return response.statusCode === 200
    ? (decodeProtectedHeader(JSON.parse(response.body).token).kid as string)
    : undefined;
}

describe('a crash after any change of any rotation step', () => {
  let world: World;
  afterEach(() => world.close());

  const cases = Object.entries(PHASES).flatMap(([phase, { changes }]) =>
    Array.from({ length: changes }, (_, i) => [phase, i + 1] as const),
  );

  it.each(cases)(
    '%s, crash after change %i: consistent JWKS and signer, then the next run completes the step',
    async (phase, n) => {
      // Prepare
      world = await startWorld();
      const step = PHASES[phase] as Phase;
      const request = await step.prepare(world);
      const before = await world.requestToken();
      const earlier = before.statusCode === 200 ? (JSON.parse(before.body).token as string) : undefined;
      const compromised =
        request.kind === 'emergency'
          ? (await world.state()).keys.find((k) => k.status === 'active')?.kid
          : undefined;

      // Act 1: the run dies right after its n-th change.
      const crashed = await world
        .rotate(request, (deps) => crashAfterChange(deps, n))
        .then(
          () => false,
          (error) => {
            if (!(error instanceof Crash)) throw error;
            return true;
          },
        );
      // A 503 (nothing published: before the first key, or when the only key was compromised) is none.
      const published = (await (await fetch(`${world.jwksApi.url}/.well-known/jwks.json`)).json()) as {
        keys?: { kid: string }[];
      };
      const kids = (published.keys ?? []).map((k) => k.kid);
      const kidAfterCrash = await signingKid(world);
      const verifier = world.newVerifier();
      const earlierVerdict = earlier ? await world.verify(verifier, earlier) : 'none';

      // Assess 1: a compromised key is never published again; otherwise the key that signs is
      // published and an earlier token still verifies.
      if (compromised) expect(kids).not.toContain(compromised);
      if (kidAfterCrash !== undefined && kidAfterCrash !== compromised) expect(kids).toContain(kidAfterCrash);
      if (!compromised && earlier) expect(earlierVerdict).toBe('200 allowed');
      if (phase !== 'bootstrap (create + activate the first key)') {
        expect(kidAfterCrash === undefined ? 'no signer' : 'signer').toBe('signer');
      }

      // Act 2: the next run (a scheduled one: the emergency was recorded durably).
      world.now += 1;
      await world.rotate({ kind: 'scheduled' });
      const fresh = await world.requestToken();

      // Assess 2: the step completed, exactly once.
      expect(crashed).toBe(true);
      expect(await summary(world)).toEqual(step.after);
      expect((await world.state()).creating).toBeUndefined();
      expect(world.kms.keyIds().length).toBe((await world.state()).generation);
      expect(fresh.statusCode).toBe(200);
      expect(await world.verify(world.newVerifier(), JSON.parse(fresh.body).token)).toBe('200 allowed');
      if (compromised && earlier)
        expect(await world.verify(world.newVerifier(), earlier)).toBe('401 unknown_key');
    },
  );
});
