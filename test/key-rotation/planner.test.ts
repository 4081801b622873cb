import { describe, expect, it } from 'vitest';
import { type PlanInput, planNextAction, type RotationAction } from '../../functions/key-rotation/planner.ts';
import { jwksDocument } from '../../functions/workload-keys/state.ts';
import { GRACE, key, state, T0, TIMING } from './helpers.ts';

const DELAY = TIMING.propagationDelaySeconds;
const PERIOD = TIMING.rotationPeriodSeconds;
const active1 = key(1, 'active', { activatedAt: T0 });
const plan = (input: Partial<PlanInput>): RotationAction =>
  planNextAction({
    state: state([]),
    aliasTarget: undefined,
    now: T0,
    timing: TIMING,
    request: { kind: 'scheduled' },
    ...input,
  });

describe('planNextAction', () => {
  it.each<[string, Partial<PlanInput>, RotationAction]>([
    ['bootstrap: no key at all', {}, { kind: 'create-next', generation: 1, why: 'bootstrap' }],
    [
      'bootstrap: the first key is published',
      { state: state([key(1, 'next')]) },
      { kind: 'activate', kid: 'kid-1', why: 'bootstrap' },
    ],
    [
      'steady: nothing due',
      { state: state([active1]), aliasTarget: 'key-1', now: T0 + 100 },
      { kind: 'idle', nextDueAt: T0 + PERIOD - DELAY },
    ],
    [
      'a next key is due one delay before the period ends',
      { state: state([active1]), aliasTarget: 'key-1', now: T0 + PERIOD - DELAY },
      { kind: 'create-next', generation: 2, why: 'due' },
    ],
    [
      'on demand: rotate now',
      { state: state([active1]), aliasTarget: 'key-1', request: { kind: 'rotate' } },
      { kind: 'create-next', generation: 2, why: 'requested' },
    ],
    [
      'a next key waits the propagation delay',
      {
        state: state([active1, key(2, 'next', { createdAt: T0 + 50 })]),
        aliasTarget: 'key-1',
        now: T0 + 50 + DELAY - 1,
      },
      { kind: 'idle', nextDueAt: T0 + 50 + DELAY },
    ],
    [
      'on demand does not skip the propagation delay',
      {
        state: state([active1, key(2, 'next', { createdAt: T0 + 50 })]),
        aliasTarget: 'key-1',
        now: T0 + 60,
        request: { kind: 'rotate' },
      },
      { kind: 'idle', nextDueAt: T0 + 50 + DELAY },
    ],
    [
      'the next key activates after the delay',
      {
        state: state([active1, key(2, 'next', { createdAt: T0 + 50 })]),
        aliasTarget: 'key-1',
        now: T0 + 50 + DELAY,
      },
      { kind: 'activate', kid: 'kid-2', why: 'due' },
    ],
    [
      'resume: the alias moved but the state was not written',
      { state: state([active1, key(2, 'next', { createdAt: T0 + 50 })]), aliasTarget: 'key-2', now: T0 + 60 },
      { kind: 'activate', kid: 'kid-2', why: 'resume' },
    ],
    [
      'a retired key stays through its grace',
      {
        state: state([key(1, 'retired', { retiredAt: T0 }), key(2, 'active', { activatedAt: T0 })]),
        aliasTarget: 'key-2',
        now: T0 + GRACE,
      },
      { kind: 'idle', nextDueAt: T0 + GRACE + 1 },
    ],
    [
      'a retired key is removed after its grace',
      {
        state: state([key(1, 'retired', { retiredAt: T0 }), key(2, 'active', { activatedAt: T0 })]),
        aliasTarget: 'key-2',
        now: T0 + GRACE + 1,
      },
      { kind: 'remove', kid: 'kid-1', why: 'expired' },
    ],
    [
      'repair: the alias points elsewhere',
      { state: state([active1]), aliasTarget: 'key-9' },
      { kind: 'repair-alias', kid: 'kid-1' },
    ],
    [
      'repair: the alias is missing',
      { state: state([active1]), aliasTarget: undefined },
      { kind: 'repair-alias', kid: 'kid-1' },
    ],
    [
      'emergency: mark the key first',
      { state: state([active1]), aliasTarget: 'key-1', request: { kind: 'emergency', kid: 'kid-1' } },
      { kind: 'mark-compromised', kid: 'kid-1' },
    ],
    [
      'emergency: a replacement is created without waiting',
      {
        state: state([key(1, 'active', { compromisedAt: T0 })]),
        aliasTarget: 'key-1',
        request: { kind: 'emergency', kid: 'kid-1' },
      },
      { kind: 'create-next', generation: 2, why: 'emergency' },
    ],
    [
      'emergency: the replacement activates without the propagation delay',
      {
        state: state([key(1, 'active', { compromisedAt: T0 }), key(2, 'next', { createdAt: T0 })]),
        aliasTarget: 'key-1',
        now: T0 + 1,
      },
      { kind: 'activate', kid: 'kid-2', why: 'emergency' },
    ],
    [
      'emergency: the compromised key is removed without grace',
      {
        state: state([
          key(1, 'retired', { retiredAt: T0, compromisedAt: T0 }),
          key(2, 'active', { activatedAt: T0 }),
        ]),
        aliasTarget: 'key-2',
        now: T0 + 1,
      },
      { kind: 'remove', kid: 'kid-1', why: 'compromised' },
    ],
    [
      'emergency on a next key: removed, the active key keeps signing',
      {
        state: state([active1, key(2, 'next')]),
        aliasTarget: 'key-1',
        request: { kind: 'emergency', kid: 'kid-2' },
      },
      { kind: 'mark-compromised', kid: 'kid-2' },
    ],
    [
      'emergency for a key already removed: nothing to do',
      {
        state: state([active1], {
          removed: [{ kid: 'kid-0', keyId: 'key-0', generation: 0, removedAt: T0, reason: 'expired' }],
        }),
        aliasTarget: 'key-1',
        request: { kind: 'emergency', kid: 'kid-0' },
      },
      { kind: 'idle', nextDueAt: T0 + PERIOD - DELAY },
    ],
    [
      'emergency for an unknown kid',
      { state: state([active1]), aliasTarget: 'key-1', request: { kind: 'emergency', kid: 'nope' } },
      { kind: 'refuse', code: 'unknown_kid', detail: 'no key nope in rotation test' },
    ],
  ])('%s', (_name, input, expected) => {
    expect(plan(input)).toEqual(expected);
  });

  it('publishes next, active and in-grace retired keys, never a compromised one', () => {
    const keys = [
      key(1, 'retired', { retiredAt: T0 - GRACE - 1 }),
      key(2, 'retired', { retiredAt: T0 - GRACE }),
      key(3, 'active', { activatedAt: T0 }),
      key(4, 'next'),
      key(5, 'retired', { retiredAt: T0, compromisedAt: T0 }),
    ];
    expect(jwksDocument(state(keys), T0, TIMING).keys.map((k) => k.kid)).toEqual(['kid-4', 'kid-3', 'kid-2']);
  });
});
