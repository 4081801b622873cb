/**
 * Lambda environment readers: a missing or bad variable fails the cold start with its name
 * and value shown, never a silent default in the middle of an incident.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

export function requiredEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new EnvError(`${name} is required`);
  return value;
}

export function integerEnv(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new EnvError(
      `${name}: expected an integer from ${range.min} to ${range.max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
