/**
 * Imported first by the Lambda handler, before anything loads Cedar's 4.3 MB wasm module.
 *
 * By default V8 compiles wasm with its baseline compiler (Liftoff) and then re-compiles hot
 * functions with its optimizing compiler (TurboFan) on background threads. For Cedar that
 * background work is large and, on a Lambda's one or two vCPUs, competes with the very first
 * request: the bundle's first answer came about three times sooner without it (`npm run bench`,
 * cold start). The price is paid on decision-cache misses only: a warm Cedar call measured about
 * 1.5 × slower in Liftoff code, and most warm decisions do not reach Cedar (the decision cache).
 * The flag only changes how wasm is compiled, and it is set before any wasm module exists, which
 * is when V8 reads it.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
