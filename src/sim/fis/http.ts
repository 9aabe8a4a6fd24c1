/**
 * HTTP plumbing of the loopback FIS server, as the restJson1 protocol has it: JSON bodies, errors
 * as a status code plus the `x-amzn-errortype` header (the SDK takes the error's `name` from
 * it) and a `{"message": ...}` body, and an `x-amzn-requestid` on every answer.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** An error answered the AWS way. */
export class FisError extends Error {
  constructor(
    readonly status: number,
    /** The `x-amzn-errortype`, which the SDK turns into the error's `name`. */
    readonly code: string,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message);
    this.name = 'FisError';
  }
}

/** The error code AWS uses for an HTTP status, for injected failures. */
export function codeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: 'ValidationException',
    403: 'AccessDeniedException',
    404: 'ResourceNotFoundException',
    409: 'ConflictException',
    429: 'ThrottlingException',
    500: 'InternalServerException',
    502: 'BadGatewayException',
    503: 'ServiceUnavailableException',
    504: 'GatewayTimeoutException',
  };
  return codes[status] ?? (status >= 500 ? 'InternalServerException' : 'BadRequestException');
}

export function validation(message: string): FisError {
  return new FisError(400, 'ValidationException', message);
}

export function notFound(message: string): FisError {
  return new FisError(404, 'ResourceNotFoundException', message);
}

/** Any thrown value as an answer (unexpected ones are 500s naming the cause). */
export function toFisError(e: unknown): FisError {
  if (e instanceof FisError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new FisError(500, 'InternalServerException', `loopback FIS server error: ${msg}`);
}

/** The body of an error answer, as restJson1 services send it. */
export function errorBody(err: FisError): { message: string } {
  return { message: err.message };
}

export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  writeText(res, status, JSON.stringify(body), 'application/json', headers);
}

export function writeText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

const MAX_BODY = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw validation(`request body above ${MAX_BODY} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON request body; an empty body is `{}` (the SDK sends none for GET and DELETE). */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw validation(`the request body is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
