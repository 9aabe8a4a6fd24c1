/**
 * Posts the Slack message (./slack.ts) through an incoming webhook or `chat.postMessage` with a
 * bot token. A failed post is a report warning (SPEC 7): this never throws, and its warning says
 * what to fix (`invalid_auth`: the token; `not_in_channel`: invite the bot...).
 *
 * - 429 waits as long as Slack's Retry-After asks (up to {@link MAX_RETRY_AFTER_MS}); 5xx, timeouts
 *   and network errors are retried with backoff ({@link withRetry}), each retry logged.
 * - `chat.postMessage` answers HTTP 200 with `{ ok: false, error }` when it refuses; a webhook
 *   answers `ok`, or an HTTP error with the reason as text (`no_service`, `channel_not_found`).
 * - The webhook URL and the token are secrets: neither appears in a log line or a warning (a
 *   webhook is shown by its origin only, and every message is scrubbed before it goes out).
 */
import { errorWithCause } from '../errors.js';
import type { Logger } from '../log.js';
import {
  DEFAULT_RETRY,
  retryAfterMs,
  withRetry,
  type RetryDecision,
  type RetryPolicy,
} from '../retry.js';
import type { SlackMessage } from './slack.js';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api';
/** A Retry-After beyond this is not waited for: the report is not worth holding the job up. */
export const MAX_RETRY_AFTER_MS = 60_000;
const TIMEOUT_MS = 15_000;

export interface SlackSendOptions {
  /** Incoming webhook (`slack-webhook-url`). */
  webhookUrl?: string;
  /** Bot token (`slack-token`), with `channel`: `chat.postMessage`. Wins over the webhook. */
  token?: string;
  channel?: string;
  /** Slack's Web API base URL (`SLACK_API_URL`: GovSlack, proxies, tests); default slack.com. */
  apiUrl?: string;
  fetch?: typeof fetch;
  log: Logger;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** Per attempt. */
  timeoutMs?: number;
}

export type SlackSendResult =
  | { ok: true; via: 'webhook' | 'chat.postMessage'; channel?: string; ts?: string }
  | { ok: false; warning: string };

/** The API base URL from the environment (`SLACK_API_URL`), else Slack's. */
export function slackApiUrl(env: Record<string, string | undefined>): string {
  return env.SLACK_API_URL?.trim() || DEFAULT_SLACK_API_URL;
}

/** An attempt that failed: an HTTP status or Slack's `error`, and whether another may succeed. */
class SlackError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
    /** Slack's error code (`channel_not_found`) or the webhook's answer, when there was one. */
    readonly code?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SlackError';
  }
}

/** What to do about Slack's error codes (chat.postMessage's `error`, a webhook's answer). */
const HINTS: Record<string, string> = {
  invalid_auth: 'The slack-token is not valid: use the bot token (xoxb-...) of an installed app',
  not_authed: 'No token reached Slack: check slack-token',
  token_revoked: 'The slack-token was revoked: install the app again and update the secret',
  token_expired: 'The slack-token expired: update the secret',
  account_inactive: "The slack-token's bot or user was deactivated",
  missing_scope: 'The bot token needs the chat:write scope (reinstall the app after adding it)',
  channel_not_found:
    'The channel was not found: check slack-channel (a channel ID such as C0123456789 always works; a private channel needs the bot invited)',
  not_in_channel:
    'The bot is not in the channel: invite it (/invite @your-app), or give it the chat:write.public scope for public channels',
  is_archived: 'The channel is archived',
  channel_is_archived: 'The channel is archived',
  restricted_action: "The workspace's settings do not let this app post in the channel",
  action_prohibited: "The workspace's settings do not let this webhook post",
  posting_to_general_channel_denied: 'Only admins may post in this channel',
  no_service: 'The webhook was removed or disabled: create a new one and update slack-webhook-url',
  no_active_hooks:
    'The webhook was removed or disabled: create a new one and update slack-webhook-url',
  invalid_token:
    'The webhook was removed or disabled: create a new one and update slack-webhook-url',
  team_disabled: 'The Slack workspace is disabled',
  invalid_blocks: 'Slack refused the message layout (please report this to chaos-gate)',
  invalid_payload: 'Slack refused the message (please report this to chaos-gate)',
  msg_too_long: 'Slack refused the message as too long (please report this to chaos-gate)',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `chat.postMessage`'s `response_metadata.messages` (what is wrong with the blocks). */
function detailMessages(body: Record<string, unknown>): string[] {
  const meta = body.response_metadata;
  if (!isRecord(meta) || !Array.isArray(meta.messages)) return [];
  return meta.messages.filter((m): m is string => typeof m === 'string').slice(0, 3);
}

function retryAfterNote(ms: number | undefined): string {
  return ms === undefined ? '' : ` (Retry-After ${Math.round(ms / 100) / 10} s)`;
}

/** Slack's error code in an answer: `{ ok: false, error }` or a webhook's one-word text. */
function errorCode(text: string): string | undefined {
  const t = text.trim();
  if (/^[a-z_]+$/.test(t)) return t;
  try {
    const body = JSON.parse(t) as unknown;
    return isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/** An HTTP answer that is not a success: retry 429 (within bounds) and 5xx, nothing else. */
function httpError(res: Response, text: string): SlackError {
  const after = retryAfterMs(res.headers.get('retry-after') ?? undefined);
  const code = errorCode(text);
  const snippet = code ?? text.trim().replace(/\s+/g, ' ').slice(0, 200);
  const message = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${snippet ? `: ${snippet}` : ''}${retryAfterNote(after)}`;
  if (res.status === 429) {
    const tooLong = after !== undefined && after > MAX_RETRY_AFTER_MS;
    return new SlackError(
      tooLong ? `${message}; not waiting that long` : message,
      !tooLong,
      code ?? 'rate_limited',
      after,
    );
  }
  return new SlackError(message, res.status >= 500, code, after);
}

function classify(err: unknown): RetryDecision {
  if (err instanceof SlackError)
    return {
      retry: err.retry,
      reason: err.message,
      ...(err.retryAfterMs !== undefined ? { afterMs: err.retryAfterMs } : {}),
    };
  const name = isRecord(err) ? err.name : undefined;
  if (name === 'AbortError') return { retry: false, reason: 'cancelled' };
  // Timeouts, resets, refused connections, DNS: the request may not have arrived; try again.
  return { retry: true, reason: errorWithCause(err) };
}

/**
 * Replaces every secret in `message`: the token and webhook URL we were given, and anything
 * that looks like a Slack token or webhook path (a proxy or library may quote them back).
 */
function scrubber(secrets: (string | undefined)[]): (message: string) => string {
  const exact = secrets.filter((s): s is string => !!s && s.length >= 4);
  return (message) => {
    let out = message;
    for (const s of exact) out = out.split(s).join('***');
    return out
      .replace(/xox[a-z]-[A-Za-z0-9-]+/g, 'xox*-***')
      .replace(/\/services\/[A-Za-z0-9/_-]+/g, '/services/***')
      .replace(/(Bearer\s+)\S+/gi, '$1***');
  };
}

/** Where a URL points, without its path (a webhook's path is its secret). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an unreadable URL';
  }
}

/**
 * Posts `message`; never throws. Returns where it went, or a warning naming what to fix.
 * The caller reports the warning (it never changes the verdict).
 */
export async function postToSlack(
  message: SlackMessage,
  opts: SlackSendOptions,
): Promise<SlackSendResult> {
  const scrub = scrubber([opts.token, opts.webhookUrl]);
  const log = opts.log;
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  const useApi = !!(opts.token && opts.channel);
  if (!useApi && !opts.webhookUrl)
    return {
      ok: false,
      warning:
        'Slack: nothing to post with: set slack-webhook-url, or slack-token and slack-channel.',
    };
  if (useApi && opts.webhookUrl)
    log.info('Slack: slack-token and slack-webhook-url are both set; posting with the bot token.');

  const channel = opts.channel ?? '';
  const base = (opts.apiUrl || DEFAULT_SLACK_API_URL).replace(/\/+$/, '');
  const endpoint = useApi ? `${base}/chat.postMessage` : (opts.webhookUrl ?? '');
  const what = useApi
    ? `Slack chat.postMessage to ${channel} at ${originOf(base)}`
    : `Slack webhook at ${originOf(endpoint)}`;
  const payload = {
    ...(useApi ? { channel } : {}),
    text: message.text,
    blocks: message.blocks,
    // Links in reasons stay links, not previews of whatever they point at.
    unfurl_links: false,
    unfurl_media: false,
  };
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'User-Agent': 'chaos-gate',
    ...(useApi ? { Authorization: `Bearer ${opts.token ?? ''}` } : {}),
  };

  const attempt = async (): Promise<SlackSendResult> => {
    const signal = opts.signal
      ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    const res = await doFetch(endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      signal,
    });
    const text = await res.text();
    if (!res.ok) throw httpError(res, text);
    if (!useApi) return { ok: true, via: 'webhook' };
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = undefined;
    }
    if (!isRecord(body) || typeof body.ok !== 'boolean')
      throw new SlackError(
        `not a Slack API answer (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content type'}): is SLACK_API_URL right?`,
        false,
      );
    if (!body.ok) {
      const code = typeof body.error === 'string' ? body.error : 'unknown_error';
      const details = detailMessages(body);
      const needed = typeof body.needed === 'string' ? ` (needed: ${body.needed})` : '';
      throw new SlackError(
        `${code}${needed}${details.length ? `: ${details.join('; ')}` : ''}`,
        false,
        code,
      );
    }
    if (typeof body.warning === 'string') log.debug(`${what}: Slack warns: ${body.warning}`);
    return {
      ok: true,
      via: 'chat.postMessage',
      ...(typeof body.channel === 'string' ? { channel: body.channel } : {}),
      ...(typeof body.ts === 'string' ? { ts: body.ts } : {}),
    };
  };

  const policy = opts.retry ?? DEFAULT_RETRY;
  let attempts = 0;
  try {
    const result = await withRetry(
      what,
      (n) => {
        attempts = n;
        return attempt();
      },
      classify,
      {
        policy,
        onRetry: (m) => log.warning(scrub(m)),
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
    );
    log.info(scrub(`${what}: posted${result.ok && result.ts ? ` (ts ${result.ts})` : ''}.`));
    return result;
  } catch (err) {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const reason = err instanceof SlackError ? err.message : classify(err).reason;
    const hint = err instanceof SlackError && err.code ? HINTS[err.code] : undefined;
    return {
      ok: false,
      warning: scrub(
        `Slack message not posted${tries}: ${what}: ${reason}${hint ? `. ${hint}.` : ''}`,
      ),
    };
  }
}
