import { vi } from 'vitest';

/** One metric value of an EMF document, with its dimensions (`service` included). */
export interface EmfValue {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Runs `act` and returns the EMF documents Powertools Metrics printed to stdout meanwhile (its
 * own `Console` on `process.stdout`, as in Lambda), parsed into values; `act`'s error, if any,
 * is returned rather than thrown.
 */
export async function emfDuring(act: () => Promise<unknown>): Promise<{ values: EmfValue[]; raw: string }> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await act().catch(() => undefined);
  } finally {
    spy.mockRestore();
  }
  const docs = written
    .flatMap((w) => w.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const values = docs.flatMap((doc) => {
    const meta = (doc._aws as { CloudWatchMetrics: EmfDirective[] }).CloudWatchMetrics;
    return meta.flatMap((d) =>
      d.Dimensions.flatMap((set) =>
        d.Metrics.map((m) => ({
          namespace: d.Namespace,
          name: m.Name,
          unit: m.Unit,
          dimensions: Object.fromEntries(set.map((k) => [k, String(doc[k])])),
          value: doc[m.Name] as number,
        })),
      ),
    );
  });
  return { values, raw: docs.map((d) => JSON.stringify(d)).join('\n') };
}

interface EmfDirective {
  readonly Namespace: string;
  readonly Dimensions: string[][];
  readonly Metrics: { Name: string; Unit: string }[];
}

/** Totals by `Name` or `Name{Dim=value}` (dimensions other than `service`), summed over documents. */
export function totals(values: readonly EmfValue[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const extra = Object.entries(v.dimensions).filter(([k]) => k !== 'service');
    const key = extra.length === 0 ? v.name : `${v.name}{${extra.map(([k, x]) => `${k}=${x}`).join(',')}}`;
    out[key] = (out[key] ?? 0) + v.value;
  }
  return out;
}
