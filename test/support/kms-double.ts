/**
 * A KMS test double that does real cryptography and speaks the KMS wire protocol (AWS JSON 1.1:
 * `POST /`, `X-Amz-Target: TrentService.<Op>`, `application/x-amz-json-1.1`, blobs in base64,
 * errors as `{ "__type": "...", "message": "..." }`) on 127.0.0.1, so the real
 * `@aws-sdk/client-kms` serializes, signs (SigV4 with dummy credentials) and parses every call.
 * Keys are real P-256 key pairs; `Sign` returns DER as KMS does, never a canned value.
 *
 * Key states follow KMS: Enabled → Disabled (DisableKey) → PendingDeletion
 * (ScheduleKeyDeletion); Sign and GetPublicKey refuse a Disabled key (DisabledException) and a
 * key pending deletion (KMSInvalidStateException).
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { type Json, KmsError, type KmsKeyState, kmsModel, REGION } from './kms-double-operations.ts';

export type { KmsKeyState } from './kms-double-operations.ts';

export interface KmsDoubleOptions {
  /** Epoch milliseconds, for CreationDate and DeletionDate. @default Date.now */
  readonly clock?: () => number;
}

export interface KmsDouble {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** A real SDK client aimed at the double (dummy credentials, no retries). */
  client(): KMSClient;
  /** Every operation received, in order: `Sign`, `DescribeKey`, … */
  readonly calls: string[];
  /** The state of a key (by id), for assertions. */
  keyState(keyId: string): KmsKeyState | undefined;
  /** The key id an alias points to. */
  aliasTarget(aliasName: string): string | undefined;
  /** All key ids, in creation order. */
  keyIds(): string[];
  /** The key policy a key was created with. */
  keyPolicy(keyId: string): string | undefined;
  /** Makes the next call of `operation` fail with `errorType` (HTTP 400), once. */
  failNext(operation: string, errorType: string): void;
  close(): Promise<void>;
}

export async function startKmsDouble(options: KmsDoubleOptions = {}): Promise<KmsDouble> {
  const clock = options.clock ?? Date.now;
  const { keys, aliases, operations } = kmsModel(clock);
  const calls: string[] = [];
  const faults = new Map<string, string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
    try {
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-amz-json-1.1')
        throw new KmsError('SerializationException', 'expected POST with application/x-amz-json-1.1');
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
        throw new KmsError('MissingAuthenticationTokenException', 'request is not SigV4-signed');
      const run = operations[operation];
      if (!run)
        throw new KmsError('UnknownOperationException', `unknown operation ${JSON.stringify(target)}`);
      calls.push(operation);
      const fault = faults.get(operation);
      if (fault) {
        faults.delete(operation);
        throw new KmsError(fault, `injected ${fault}`);
      }
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json) : {};
      reply(res, 200, run(body));
    } catch (error) {
      const e = error instanceof KmsError ? error : new KmsError('KMSInternalException', String(error));
      reply(res, e.type === 'KMSInternalException' ? 500 : 400, { __type: e.type, message: e.message });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    calls,
    client: () =>
      new KMSClient({
        endpoint,
        region: REGION,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
        maxAttempts: 1,
      }),
    keyState: (keyId) => keys.get(keyId)?.state,
    aliasTarget: (name) => aliases.get(name)?.target,
    keyIds: () => [...keys.keys()],
    keyPolicy: (keyId) => keys.get(keyId)?.policy,
    failNext: (operation, errorType) => void faults.set(operation, errorType),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function reply(res: ServerResponse, status: number, body: Json): void {
  res
    .writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() })
    .end(JSON.stringify(body));
}
