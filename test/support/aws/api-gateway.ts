import { jsonError, type ProtocolHandler } from './server.ts';

/** API Gateway's REST-JSON `FlushStageAuthorizersCache` (`DELETE …/cache/authorizers`). */
export function apiGatewayDouble(options: { failing?: ReadonlySet<string> } = {}) {
  const flushed: string[] = [];
  const handler: ProtocolHandler = (request) => {
    const match = /^\/restapis\/([^/]+)\/stages\/([^/]+)\/cache\/authorizers$/.exec(request.path);
    if (request.method !== 'DELETE' || !match) return undefined;
    const stage = `${decodeURIComponent(match[1] ?? '')}/${decodeURIComponent(match[2] ?? '')}`;
    if (options.failing?.has(stage))
      return jsonError(404, 'NotFoundException', `Invalid stage identifier ${stage}`, 'application/json');
    flushed.push(stage);
    return { status: 202 };
  };
  return { handler, flushed };
}
