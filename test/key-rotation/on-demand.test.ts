import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidRotationRequest,
  onDemandRotation,
  parseOnDemandRequest,
} from '../../functions/key-rotation/rotation-handler.ts';
import { startWorld, type World } from './world.ts';

const tokenOf = async (world: World) => JSON.parse((await world.requestToken()).body).token as string;
const kinds = (report: unknown) => (report as { performed: { kind: string }[] }).performed.map((a) => a.kind);

describe('on-demand rotation and emergencies (KMS double, dynalite, JWKS over HTTP)', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
    await world.rotate();
  });
  afterEach(() => world.close());

  it('retires a compromised active key at once and keeps issuing verifiable tokens', async () => {
    // Prepare: a running authorizer has cached the JWKS and verified a token of the key.
    const verifier = world.newVerifier();
    const stolen = await tokenOf(world);
    const compromised = decodeProtectedHeader(stolen).kid as string;
    const compromisedKeyId = (await world.state()).keys[0]?.keyId as string;
    const before = await world.verify(verifier, stolen);
    world.now += 60;

    // Act
    const report = await onDemandRotation(world.deps, { action: 'emergency' });
    const fresh = await tokenOf(world);
    const jwks = (await (await fetch(`${world.jwksApi.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const afterAtOnce = {
      fresh: await world.verify(world.newVerifier(), stolen),
      running: await world.verify(verifier, stolen),
    };
    const newToken = await world.verify(verifier, fresh);
    world.now += 301;
    const runningAfterMaxAge = await world.verify(verifier, stolen);

    // Assess
    expect(before).toBe('200 allowed');
    expect(kinds(report)).toEqual(['mark-compromised', 'create-next', 'activate', 'remove']);
    expect(jwks.keys.map((k) => k.kid)).not.toContain(compromised);
    expect(world.kms.keyState(compromisedKeyId)).toBe('PendingDeletion');
    expect(decodeProtectedHeader(fresh).kid).not.toBe(compromised);
    // A new authorizer rejects the stolen token at once; a running one when its JWKS cache
    // (max-age 300 s) expires — the runbook's reason to also revoke, or restart authorizers.
    expect(afterAtOnce).toEqual({ fresh: '401 unknown_key', running: '200 allowed' });
    expect(newToken).toBe('200 allowed');
    expect(runningAfterMaxAge).toBe('401 unknown_key');
  });

  it('promotes a pre-published next key in an emergency, so running verifiers know it already', async () => {
    // Prepare: an on-demand rotation published a next key; a running verifier fetched it.
    expect(kinds(await onDemandRotation(world.deps, { action: 'rotate' }))).toEqual(['create-next']);
    const next = (await world.state()).keys.find((k) => k.status === 'next');
    world.now += 600;
    const verifier = world.newVerifier();
    await world.verify(verifier, await tokenOf(world));

    // Act
    const report = await onDemandRotation(world.deps, { action: 'emergency' });
    const fresh = await tokenOf(world);

    // Assess
    expect(kinds(report)).toEqual(['mark-compromised', 'activate', 'remove']);
    expect(decodeProtectedHeader(fresh).kid).toBe(next?.kid);
    expect(await world.verify(verifier, fresh)).toBe('200 allowed');
    expect(world.kms.keyIds()).toHaveLength(2);
  });

  it('reports the status without changing anything', async () => {
    const version = (await world.state()).version;
    const status = await onDemandRotation(world.deps, { action: 'status' });
    expect(status).toMatchObject({
      nextAction: { kind: 'idle', nextDueAt: world.now + 14_400 - 3600 },
      keys: [{ state: 'active', generation: 1 }],
    });
    expect((await world.state()).version).toBe(version);
  });

  it('refuses an emergency for a kid it does not know', async () => {
    const report = await onDemandRotation(world.deps, { action: 'emergency', kid: 'not-a-kid' });
    expect(report).toMatchObject({ performed: [], outcome: { kind: 'refuse', code: 'unknown_kid' } });
  });
});

describe('parseOnDemandRequest', () => {
  it.each([
    [{ action: 'rotate' }, { kind: 'rotate' }],
    [{ action: 'status' }, { kind: 'status' }],
    [{ action: 'emergency' }, { kind: 'emergency' }],
    [
      { action: 'emergency', kid: 'abc' },
      { kind: 'emergency', kid: 'abc' },
    ],
  ])('reads %j', (event, expected) => {
    expect(parseOnDemandRequest(event)).toEqual(expected);
  });

  it.each([
    null,
    'rotate',
    [],
    {},
    { action: 'delete' },
    { action: 'rotate', kid: 'abc' },
    { action: 'emergency', kid: '' },
    { action: 'rotate', force: true },
  ])('refuses %j', (event) => {
    expect(() => parseOnDemandRequest(event)).toThrow(InvalidRotationRequest);
  });
});
