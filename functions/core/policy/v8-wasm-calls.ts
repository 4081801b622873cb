/**
 * Imported by `cedar.ts` before Cedar's binding loads: turns off TurboFan's inlining of JS→wasm
 * calls for this process.
 *
 * Why: on Node 20 (V8 11.3) a process that calls Cedar from hot, optimized JavaScript next to
 * other optimized code aborted with `Fatal error … unreachable code` in
 * `Deoptimizer::DoComputeBuiltinContinuation` — reproduced every time by `npm run bench`
 * (decisions with the decision cache off, interleaved with jose and aws-jwt-verify), never with
 * `--no-turbo-inline-js-wasm-calls` (nor `--no-turbo-inlining`). A V8 bug, but it kills the
 * authorizer process, so the flag is set wherever Cedar is used. The cost is one non-inlined
 * call per Cedar evaluation, against a call that takes hundreds of microseconds.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-turbo-inline-js-wasm-calls');
