/**
 * Freezes `value` and everything reachable from it: parsed configuration is read by every
 * request, and nothing may change it after validation.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
