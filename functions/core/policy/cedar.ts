/**
 * The single import of Cedar, and the one place its error objects become our text.
 *
 * Only the `@cedar-policy/cedar-wasm/nodejs` entry works in plain Node. It is CommonJS that reads
 * `cedar_wasm_bg.wasm` from its own directory (`__dirname`) with `fs` when first imported, so a
 * bundle must ship that file next to the output (or keep the package external).
 */

// First, before Cedar's binding exists: see the file (a V8 crash on Node 20).
import './v8-wasm-calls.ts';
import type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';

export type {
  AuthorizationAnswer,
  Context,
  DetailedError,
  Entities,
  EntityJson,
  TypeAndId,
} from '@cedar-policy/cedar-wasm/nodejs';
export { cedar };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** 1-based line and column of a byte offset (Cedar reports UTF-8 byte offsets) in `text`. */
export function lineColumn(text: string, byteOffset: number): { line: number; column: number } {
  const before = decoder.decode(encoder.encode(text).subarray(0, Math.max(0, byteOffset)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/**
 * Where a Cedar error points: `where:line:col`. `text` is what the error's source offsets point
 * into; `firstLine` shifts them when that text starts inside a larger file.
 */
export function placeOf(error: DetailedError, where: string, text?: string, firstLine = 1): string {
  const location = error.sourceLocations?.[0];
  if (!location || text === undefined) return where;
  const { line, column } = lineColumn(text, location.start);
  return `${where}:${line + firstLine - 1}:${column}`;
}

/** Cedar's message with its label and help, on one line. */
export function messageOf(error: DetailedError): string {
  const label = error.sourceLocations?.[0]?.label;
  return `${error.message}${label ? ` (${label})` : ''}${error.help ? ` (help: ${error.help})` : ''}`;
}

/** One line for a Cedar error: `where:line:col: message (label) (help: …)`. */
export function describeCedarError(
  error: DetailedError,
  where: string,
  text?: string,
  firstLine = 1,
): string {
  return `${placeOf(error, where, text, firstLine)}: ${messageOf(error)}`;
}
