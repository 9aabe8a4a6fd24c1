/**
 * A loopback Slack for tests and the demo: real HTTP on 127.0.0.1 that takes what our sender
 * (src/report/slack-send.ts) posts, answers as Slack does, and records every message.
 *
 * - Incoming webhook, `POST /services/T000/B000/XXXX` (`webhookUrl`): `ok` (text) on success;
 *   otherwise Slack's HTTP status with its one-word reason as text: 400 `invalid_payload` (not
 *   JSON, not an object), 400 `invalid_blocks_format` (blocks not an array of objects), 400
 *   `invalid_blocks` (a Block Kit limit broken), 400 `no_text` (neither text nor blocks), 404
 *   `no_service` (another webhook path), 410 `channel_is_archived`.
 * - Web API, `POST /api/chat.postMessage` (`apiUrl`, what `SLACK_API_URL` points at): always
 *   HTTP 200 with `{ ok: false, error }` when refused: `not_authed`, `invalid_auth`,
 *   `channel_not_found`, `not_in_channel`, `is_archived`, `no_text`, `msg_too_long`,
 *   `invalid_blocks_format`, `invalid_blocks` (with `response_metadata.messages` as Slack
 *   words them: `[ERROR] must be less than 3001 characters [json-pointer:/blocks/3/text/text]`);
 *   else `{ ok: true, channel, ts, message }`.
 *
 * Block Kit limits checked (the ones src/report/slack.ts promises, Slack's reference): at most 50
 * blocks; header text plain_text, 1..150 characters; section text 1..3000, at most 10 fields of
 * at most 2000; context at most 10 elements; text objects `plain_text` or `mrkdwn`; block_id at
 * most 255; the top-level text at most 40,000 characters (`msg_too_long`).
 * Fault knobs: `failNext(n, 429, { retryAfter })` (Slack's `Retry-After`), 5xx.
 *
 *   const slack = await startSlackServer();
 *   await postToSlack(message, { webhookUrl: slack.webhookUrl, log });
 *   expect(slack.messages[0]?.blocks).toEqual(message.blocks);
 *   await slack.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLoopback } from './listen.js';

export interface SlackChannel {
  /** `C0123456789` */
  id: string;
  /** Without `#`. */
  name: string;
  /** The bot is in the channel (else `not_in_channel`); default true. */
  member?: boolean;
  archived?: boolean;
}

export interface SlackServerOptions {
  /** The bot token chat.postMessage accepts; default a fake `xoxb-` token. */
  token?: string;
  /** Default one channel: `C0CHAOS0001` / `chaos`. */
  channels?: SlackChannel[];
  /** The webhook's path; default `/services/T000/B000/XXXX`. */
  webhookPath?: string;
  /** The channel (id or name) the webhook posts to; default the first channel. */
  webhookChannel?: string;
  /** Clock of the `ts` values; default the real one. */
  now?: () => Date;
  /** Port on 127.0.0.1; default: any free port. */
  port?: number;
}

export interface SlackMessageRecord {
  via: 'webhook' | 'chat.postMessage';
  /** The channel's id. */
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  /** Everything that was posted, as parsed. */
  payload: Record<string, unknown>;
}

export interface SlackRequestRecord {
  method: string;
  path: string;
  status: number;
  /** Slack's error code, when refused (`invalid_blocks`, `ratelimited`...). */
  error?: string;
  /** What was wrong with the blocks, in Slack's words. */
  problems?: string[];
}

export interface SlackFailOptions {
  /** Seconds, sent as `Retry-After` (Slack always sends one with 429; default 1 there). */
  retryAfter?: number;
  /** Only the webhook or only the Web API; default either. */
  target?: 'webhook' | 'api';
}

export interface SlackServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The incoming webhook. */
  webhookUrl: string;
  /** The Web API base (`SLACK_API_URL`): `${url}/api`. */
  apiUrl: string;
  token: string;
  channels: SlackChannel[];
  /** Every message accepted, in order. */
  messages: SlackMessageRecord[];
  /** Every request answered, in order. */
  requests: SlackRequestRecord[];
  /** The next `n` requests (of `target`) fail with `status` (429 or 5xx). */
  failNext(n: number, status: number, opts?: SlackFailOptions): void;
  close(): Promise<void>;
}

/** Block Kit's limits (Slack's reference for blocks and composition objects). */
export const BLOCK_KIT_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  blockId: 255,
  /** chat.postMessage's `text`: longer is `msg_too_long`. */
  messageText: 40_000,
} as const;

const BODY_MAX_BYTES = 1024 * 1024;
const KNOWN_BLOCKS = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'rich_text',
  'section',
  'video',
]);

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What is wrong with `blocks`, as Slack's `response_metadata.messages` say it:
 * `[ERROR] <what> [json-pointer:/blocks/<i>/...]`. Empty when they are valid.
 */
export function blockKitProblems(blocks: unknown[]): string[] {
  const problems: string[] = [];
  const error = (what: string, pointer: string): void => {
    problems.push(`[ERROR] ${what} [json-pointer:${pointer}]`);
  };
  const textObject = (
    t: unknown,
    pointer: string,
    max: number,
    types: readonly string[] = ['plain_text', 'mrkdwn'],
  ): void => {
    if (!isRecord(t)) return error('must be an object', pointer);
    if (typeof t.type !== 'string' || !types.includes(t.type))
      return error(`must be one of ${types.map((x) => `"${x}"`).join(', ')}`, `${pointer}/type`);
    if (typeof t.text !== 'string') return error('must provide a string', `${pointer}/text`);
    if (t.text.length < 1) error('must be more than 0 characters', `${pointer}/text`);
    if (t.text.length > max) error(`must be less than ${max + 1} characters`, `${pointer}/text`);
  };
  if (blocks.length > BLOCK_KIT_LIMITS.blocks)
    error(`no more than ${BLOCK_KIT_LIMITS.blocks} items allowed`, '/blocks');
  blocks.forEach((b, i) => {
    const at = `/blocks/${i}`;
    if (!isRecord(b)) return error('must be an object', at);
    if (typeof b.type !== 'string' || !KNOWN_BLOCKS.has(b.type))
      return error('unsupported type', `${at}/type`);
    if (b.block_id !== undefined) {
      if (typeof b.block_id !== 'string') error('must provide a string', `${at}/block_id`);
      else if (b.block_id.length > BLOCK_KIT_LIMITS.blockId)
        error(`must be less than ${BLOCK_KIT_LIMITS.blockId + 1} characters`, `${at}/block_id`);
    }
    switch (b.type) {
      case 'header':
        textObject(b.text, `${at}/text`, BLOCK_KIT_LIMITS.headerText, ['plain_text']);
        break;
      case 'section': {
        if (b.text === undefined && b.fields === undefined)
          error('must provide either text or fields', at);
        if (b.text !== undefined) textObject(b.text, `${at}/text`, BLOCK_KIT_LIMITS.sectionText);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields)) error('must provide an array', `${at}/fields`);
          else {
            if (b.fields.length > BLOCK_KIT_LIMITS.fields)
              error(`no more than ${BLOCK_KIT_LIMITS.fields} items allowed`, `${at}/fields`);
            b.fields.forEach((f: unknown, j) =>
              textObject(f, `${at}/fields/${j}`, BLOCK_KIT_LIMITS.fieldText),
            );
          }
        }
        break;
      }
      case 'context': {
        if (!Array.isArray(b.elements) || b.elements.length < 1) {
          error('must provide a non-empty array', `${at}/elements`);
          break;
        }
        if (b.elements.length > BLOCK_KIT_LIMITS.contextElements)
          error(`no more than ${BLOCK_KIT_LIMITS.contextElements} items allowed`, `${at}/elements`);
        b.elements.forEach((e: unknown, j) => {
          // Context elements are text objects or images; only text is checked here.
          if (isRecord(e) && e.type === 'image') return;
          textObject(e, `${at}/elements/${j}`, BLOCK_KIT_LIMITS.sectionText);
        });
        break;
      }
      default:
        break;
    }
  });
  return problems;
}

/** A refusal: the HTTP status, Slack's code, and for blocks what is wrong. */
class SlackRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly problems?: string[],
  ) {
    super(code);
    this.name = 'SlackRefusal';
  }
}

interface Fault {
  remaining: number;
  status: number;
  opts: SlackFailOptions;
}

export async function startSlackServer(opts: SlackServerOptions = {}): Promise<SlackServer> {
  const token = opts.token ?? 'xoxb-000000000000-0000000000000-loopbackSlackToken';
  const channels: SlackChannel[] = opts.channels ?? [{ id: 'C0CHAOS0001', name: 'chaos' }];
  const webhookPath = opts.webhookPath ?? '/services/T000/B000/XXXX';
  const now = opts.now ?? ((): Date => new Date());
  const messages: SlackMessageRecord[] = [];
  const requests: SlackRequestRecord[] = [];
  let faults: Fault[] = [];
  let lastTs = '';

  /** A channel by id or name (`#chaos`, `chaos`). */
  const findChannel = (ref: string): SlackChannel | undefined => {
    const name = ref.replace(/^#/, '');
    return channels.find((c) => c.id === ref || c.name === name);
  };
  const webhookChannel = findChannel(opts.webhookChannel ?? channels[0]?.id ?? '');

  /** Unique, increasing `ts` values: seconds and six digits. */
  function nextTs(): string {
    const micros = BigInt(now().getTime()) * 1000n;
    let ts = `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
    if (ts <= lastTs) {
      const [s = '0', f = '0'] = lastTs.split('.');
      const next = BigInt(s) * 1_000_000n + BigInt(f) + 1n;
      ts = `${next / 1_000_000n}.${(next % 1_000_000n).toString().padStart(6, '0')}`;
    }
    lastTs = ts;
    return ts;
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= BODY_MAX_BYTES) chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  /**
   * The posted message: JSON, or a form (a webhook's `payload=<json>`; the Web API's fields,
   * `blocks` as JSON text). Undefined when it cannot be read.
   */
  function parsePayload(req: IncomingMessage, text: string, webhook: boolean): Json | undefined {
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    try {
      if (type.startsWith('application/x-www-form-urlencoded')) {
        const form = new URLSearchParams(text);
        if (webhook) {
          const payload = JSON.parse(form.get('payload') ?? '') as unknown;
          return isRecord(payload) ? payload : undefined;
        }
        const out: Json = Object.fromEntries(form);
        if (typeof out.blocks === 'string') out.blocks = JSON.parse(out.blocks) as unknown;
        return out;
      }
      const payload = JSON.parse(text) as unknown;
      return isRecord(payload) ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  /** The checks both endpoints make of a message; throws the refusal. */
  function checkMessage(p: Json): { text?: string; blocks?: unknown[] } {
    const text = typeof p.text === 'string' ? p.text : undefined;
    if (p.text !== undefined && text === undefined) throw new SlackRefusal(400, 'invalid_payload');
    let blocks: unknown[] | undefined;
    if (p.blocks !== undefined) {
      if (!Array.isArray(p.blocks) || !p.blocks.every(isRecord))
        throw new SlackRefusal(400, 'invalid_blocks_format');
      blocks = p.blocks;
      const problems = blockKitProblems(blocks);
      if (problems.length) throw new SlackRefusal(400, 'invalid_blocks', problems);
    }
    if (!text?.trim() && !blocks?.length) throw new SlackRefusal(400, 'no_text');
    if (text !== undefined && text.length > BLOCK_KIT_LIMITS.messageText)
      throw new SlackRefusal(400, 'msg_too_long');
    return { ...(text !== undefined ? { text } : {}), ...(blocks ? { blocks } : {}) };
  }

  function pickFault(target: 'webhook' | 'api'): Fault | undefined {
    const f = faults.find((x) => x.remaining > 0 && (!x.opts.target || x.opts.target === target));
    if (!f) return undefined;
    f.remaining--;
    faults = faults.filter((x) => x.remaining > 0);
    return f;
  }

  interface Answer {
    status: number;
    body: string;
    contentType: string;
    headers?: Record<string, string>;
    error?: string;
    problems?: string[];
  }

  const textAnswer = (status: number, body: string, error?: string): Answer => ({
    status,
    body,
    contentType: 'text/html',
    ...(error ? { error } : {}),
  });
  const apiAnswer = (body: Json, status = 200, headers: Record<string, string> = {}): Answer => ({
    status,
    body: JSON.stringify(body),
    contentType: 'application/json; charset=utf-8',
    headers: { 'x-accepted-oauth-scopes': 'chat:write', ...headers },
    ...(typeof body.error === 'string' ? { error: body.error } : {}),
  });

  function faultAnswer(f: Fault, api: boolean): Answer {
    const retryAfter = f.opts.retryAfter ?? (f.status === 429 ? 1 : undefined);
    const headers: Record<string, string> =
      retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {};
    const code =
      f.status === 429
        ? api
          ? 'ratelimited'
          : 'rate_limited'
        : f.status === 503
          ? 'service_unavailable'
          : api
            ? 'fatal_error'
            : 'rollup_error';
    const answer = api
      ? apiAnswer({ ok: false, error: code }, f.status, headers)
      : { ...textAnswer(f.status, code, code), headers };
    return answer;
  }

  function webhook(req: IncomingMessage, text: string): Answer {
    const fault = pickFault('webhook');
    if (fault) return faultAnswer(fault, false);
    const payload = parsePayload(req, text, true);
    if (!payload) return textAnswer(400, 'invalid_payload', 'invalid_payload');
    const channel = webhookChannel;
    if (!channel) return textAnswer(404, 'channel_not_found', 'channel_not_found');
    if (channel.archived) return textAnswer(410, 'channel_is_archived', 'channel_is_archived');
    const message = checkMessage(payload);
    messages.push({ via: 'webhook', channel: channel.id, ts: nextTs(), ...message, payload });
    return textAnswer(200, 'ok');
  }

  function postMessage(req: IncomingMessage, text: string): Answer {
    const fault = pickFault('api');
    if (fault) return faultAnswer(fault, true);
    const payload = parsePayload(req, text, false);
    const header = req.headers.authorization;
    const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1] : undefined;
    const given = bearer ?? (typeof payload?.token === 'string' ? payload.token : undefined);
    if (!given) return apiAnswer({ ok: false, error: 'not_authed' });
    if (given !== token) return apiAnswer({ ok: false, error: 'invalid_auth' });
    if (!payload) return apiAnswer({ ok: false, error: 'invalid_arguments' });
    const ref = typeof payload.channel === 'string' ? payload.channel : '';
    if (!ref) return apiAnswer({ ok: false, error: 'channel_not_found' });
    const channel = findChannel(ref);
    if (!channel) return apiAnswer({ ok: false, error: 'channel_not_found' });
    if (channel.archived) return apiAnswer({ ok: false, error: 'is_archived' });
    if (channel.member === false) return apiAnswer({ ok: false, error: 'not_in_channel' });
    let message: { text?: string; blocks?: unknown[] };
    try {
      message = checkMessage(payload);
    } catch (e) {
      if (!(e instanceof SlackRefusal)) throw e;
      return {
        ...apiAnswer({
          ok: false,
          error: e.code,
          ...(e.problems ? { response_metadata: { messages: e.problems } } : {}),
        }),
        ...(e.problems ? { problems: e.problems } : {}),
      };
    }
    const ts = nextTs();
    messages.push({ via: 'chat.postMessage', channel: channel.id, ts, ...message, payload });
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    const warning =
      type.startsWith('application/json') && !type.includes('charset')
        ? 'missing_charset'
        : undefined;
    return apiAnswer({
      ok: true,
      channel: channel.id,
      ts,
      message: {
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'B0LOOPBACK1',
        user: 'U0LOOPBACK1',
        ts,
        ...(message.text !== undefined ? { text: message.text } : {}),
        ...(message.blocks ? { blocks: message.blocks } : {}),
      },
      ...(warning ? { warning, response_metadata: { warnings: [warning] } } : {}),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    let answer: Answer;
    try {
      const text = await readBody(req);
      if (path === webhookPath) {
        answer =
          method === 'POST'
            ? webhook(req, text)
            : textAnswer(405, 'invalid_request_method', 'invalid_request_method');
      } else if (path.startsWith('/services/')) {
        answer = textAnswer(404, 'no_service', 'no_service');
      } else if (path === '/api/chat.postMessage') {
        answer =
          method === 'POST' || method === 'GET'
            ? postMessage(req, text)
            : apiAnswer({ ok: false, error: 'invalid_request_method' });
      } else if (path.startsWith('/api/')) {
        answer = apiAnswer({ ok: false, error: 'unknown_method' }, 404);
      } else {
        answer = textAnswer(404, 'Not Found');
      }
    } catch (e) {
      answer =
        e instanceof SlackRefusal
          ? {
              ...textAnswer(e.status, e.code, e.code),
              ...(e.problems ? { problems: e.problems } : {}),
            }
          : textAnswer(500, 'rollup_error', 'rollup_error');
    }
    requests.push({
      method,
      path,
      status: answer.status,
      ...(answer.error ? { error: answer.error } : {}),
      ...(answer.problems ? { problems: answer.problems } : {}),
    });
    res
      .writeHead(answer.status, { 'content-type': answer.contentType, ...answer.headers })
      .end(answer.body);
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const listening = await listenLoopback(server, opts.port);
  const { url } = listening;

  return {
    url,
    webhookUrl: `${url}${webhookPath}`,
    apiUrl: `${url}/api`,
    token,
    channels,
    messages,
    requests,
    failNext(n, status, o = {}) {
      if (n > 0) faults.push({ remaining: n, status, opts: o });
    },
    close: () => listening.close(),
  };
}
