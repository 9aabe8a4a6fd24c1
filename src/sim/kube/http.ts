/**
 * HTTP plumbing of the loopback API server: `Status` error bodies with the reasons and codes the
 * real server uses, JSON replies, and request bodies (JSON, or YAML as the real server accepts).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import YAML from 'yaml';
import { StoreError, type StatusCause } from './store.js';

/** The `reason` the real server gives for each HTTP status code (metav1.StatusReason). */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Default messages, from apimachinery's `errors.NewGenericServerResponse`. */
const MESSAGES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'forbidden',
  404: 'the server could not find the requested resource',
  405: 'the server does not allow this method on the requested resource',
  409: 'the server reported a conflict',
  422: 'the server rejected our request due to an error in our request',
  429: 'the server has received too many requests and has asked us to try again later',
  500: 'an error on the server ("unknown") has prevented the request from succeeding',
  503: 'the server is currently unable to handle the request',
  504: 'the server was unable to return a response in the time allotted, but may still be processing the request',
};

export function reasonFor(code: number): string {
  return REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** An error answered with a `Status` body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message?: string,
    readonly reason: string = reasonFor(code),
    readonly details: StatusDetails = {},
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message ?? MESSAGES[code] ?? reasonFor(code));
    this.name = 'ApiError';
  }

  toStatus(): Record<string, unknown> {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

export function statusBody(
  code: number,
  reason: string,
  message: string,
  details: StatusDetails = {},
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(Object.keys(details).length > 0 ? { details } : {}),
    code,
  };
}

/** Any thrown value as the error response it deserves (unexpected ones are 500s). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof StoreError) return new ApiError(e.code, e.message, e.reason, e.details);
  const msg = e instanceof Error ? e.message : String(e);
  return new ApiError(500, `Internal error occurred: ${msg}`, 'InternalError');
}

/** One response; `onStatus` learns the code when the headers go out (the request log). */
export class Reply {
  constructor(
    readonly res: ServerResponse,
    private readonly onStatus: (code: number) => void,
  ) {}

  get sent(): boolean {
    return this.res.headersSent;
  }

  json(code: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    if (this.res.headersSent || this.res.destroyed) return;
    const text = JSON.stringify(body);
    this.onStatus(code);
    this.res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-cache, private',
      ...headers,
    });
    this.res.end(text);
  }

  error(e: unknown): void {
    const err = toApiError(e);
    this.json(err.code, err.toStatus(), err.headers);
  }

  /** Starts a streamed (watch) response: headers are flushed at once, clients wait for them. */
  stream(): void {
    this.onStatus(200);
    this.res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    this.res.flushHeaders();
  }
}

/** Request bodies above this size are refused, like the real server's 3 MiB limit (rounded up). */
const MAX_BODY = 8 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new ApiError(413, 'Request entity too large: limit is 8388608');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The media type of a Content-Type header, without parameters, lower case. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Decodes a JSON or YAML body (the real server's serializers for create and update). */
export function decodeBody(text: string, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf')
    throw new ApiError(
      415,
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  try {
    if (type === 'application/yaml' || type === 'application/apply-patch+yaml')
      return YAML.parse(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError(
      400,
      `couldn't decode the request body: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
