/** Posting to Slack (nock): webhook and chat.postMessage, Retry-After, retries, warnings, no secrets. */
import nock from 'nock';
import type { Logger } from '../src/log.js';
import type { RetryPolicy } from '../src/retry.js';
import { postToSlack, slackApiUrl, type SlackSendResult } from '../src/report/slack-send.js';
import type { SlackMessage } from '../src/report/slack.js';

const HOOK_ORIGIN = 'https://hooks.slack.com';
const HOOK_PATH = '/services/T0001/B0001/s3cr3tW3bh00kP4th';
const WEBHOOK = `${HOOK_ORIGIN}${HOOK_PATH}`;
const TOKEN = 'xoxb-1111-2222-t0k3nS3cr3t';
const API = 'https://slack.test/api';
const FAST: RetryPolicy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

const MESSAGE: SlackMessage = {
  text: '✅ chaos-gate checkout (staging): pass, score 100.0',
  blocks: [{ type: 'header', text: { type: 'plain_text', text: '✅ Chaos suite PASS' } }],
};

interface Recorded {
  log: Logger;
  lines: string[];
  warnings: string[];
}

function recorder(): Recorded {
  const lines: string[] = [];
  const warnings: string[] = [];
  return {
    lines,
    warnings,
    log: {
      info: (m) => lines.push(`info: ${m}`),
      warning: (m) => {
        lines.push(`warning: ${m}`);
        warnings.push(m);
      },
      problem: (i) => lines.push(`problem: ${i.message}`),
      debug: (m) => lines.push(`debug: ${m}`),
      group: (_, fn) => fn(),
    },
  };
}

/** Neither the token nor the webhook's secret path, nor any part of them, is in what we say. */
function expectNoSecrets(rec: Recorded, result: SlackSendResult): void {
  const said = [...rec.lines, result.ok ? '' : result.warning].join('\n');
  for (const secret of [TOKEN, WEBHOOK, HOOK_PATH, 's3cr3tW3bh00kP4th', 't0k3nS3cr3t'])
    expect(said).not.toContain(secret);
}

type Body = Record<string, unknown>;

afterEach(() => {
  nock.cleanAll();
});

// nock patches sockets for the whole worker process: later test files in it (the network guard
// of test/support/setup.ts) must get them back.
afterAll(() => {
  nock.restore();
});

describe('incoming webhook', () => {
  test('posts the message as JSON and answers ok', async () => {
    let sent: Body | undefined;
    const scope = nock(HOOK_ORIGIN)
      .post(HOOK_PATH, (b: Body) => {
        sent = b;
        return true;
      })
      .matchHeader('content-type', /application\/json/)
      .reply(200, 'ok');
    const rec = recorder();
    const result = await postToSlack(MESSAGE, { webhookUrl: WEBHOOK, log: rec.log, retry: FAST });
    expect(result).toEqual({ ok: true, via: 'webhook' });
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual({ ...MESSAGE, unfurl_links: false, unfurl_media: false });
    expect(rec.lines).toEqual(['info: Slack webhook at https://hooks.slack.com: posted.']);
    expectNoSecrets(rec, result);
  });

  test('500 twice, then ok: each retry is logged with its attempt and reason', async () => {
    const scope = nock(HOOK_ORIGIN)
      .post(HOOK_PATH)
      .twice()
      .reply(500, 'rollup_error')
      .post(HOOK_PATH)
      .reply(200, 'ok');
    const rec = recorder();
    const result = await postToSlack(MESSAGE, { webhookUrl: WEBHOOK, log: rec.log, retry: FAST });
    expect(result.ok).toBe(true);
    expect(scope.isDone()).toBe(true);
    expect(rec.warnings).toHaveLength(2);
    expect(rec.warnings[0]).toMatch(
      /^Slack webhook at https:\/\/hooks\.slack\.com: attempt 1 of 3 failed \(HTTP 500 Internal Server Error: rollup_error\); retrying in \d+ ms$/,
    );
    expect(rec.warnings[1]).toContain('attempt 2 of 3 failed');
    expectNoSecrets(rec, result);
  });

  test('5xx on every attempt: gives up with a warning, never throws', async () => {
    nock(HOOK_ORIGIN).post(HOOK_PATH).times(3).reply(503, 'service unavailable');
    const rec = recorder();
    const result = await postToSlack(MESSAGE, { webhookUrl: WEBHOOK, log: rec.log, retry: FAST });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.warning).toMatch(/^Slack message not posted after 3 attempts: .*HTTP 503/);
    }
    expectNoSecrets(rec, result);
  });

  test('a removed webhook (404 no_service) says to create a new one; not retried', async () => {
    const scope = nock(HOOK_ORIGIN).post(HOOK_PATH).reply(404, 'no_service');
    const rec = recorder();
    const result = await postToSlack(MESSAGE, { webhookUrl: WEBHOOK, log: rec.log, retry: FAST });
    expect(scope.isDone()).toBe(true);
    expect(result).toEqual({
      ok: false,
      warning:
        'Slack message not posted: Slack webhook at https://hooks.slack.com: HTTP 404 Not Found: no_service. The webhook was removed or disabled: create a new one and update slack-webhook-url.',
    });
    expect(rec.warnings).toEqual([]);
  });

  test('a network error that quotes the URL is scrubbed', async () => {
    nock(HOOK_ORIGIN)
      .post(HOOK_PATH)
      .times(3)
      .replyWithError(
        Object.assign(new Error(`socket hang up while posting to ${WEBHOOK}`), {
          code: 'ECONNRESET',
        }),
      );
    const rec = recorder();
    const result = await postToSlack(MESSAGE, { webhookUrl: WEBHOOK, log: rec.log, retry: FAST });
    expect(result.ok).toBe(false);
    expect(rec.warnings).toHaveLength(2);
    if (!result.ok) expect(result.warning).toContain('after 3 attempts');
    expect([...rec.lines, result.ok ? '' : result.warning].join('\n')).toContain('***');
    expectNoSecrets(rec, result);
  });
});

describe('chat.postMessage with a bot token', () => {
  test('an attempt that times out is retried', async () => {
    // The first answer never comes (an injected fetch that only ends when aborted).
    let calls = 0;
    const hanging: typeof fetch = async (_url, init) => {
      calls++;
      if (calls > 1) return Response.json({ ok: true, ts: '1.1' });
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
      });
    };
    const rec = recorder();
    const result = await postToSlack(MESSAGE, {
      token: TOKEN,
      channel: '#chaos',
      apiUrl: API,
      fetch: hanging,
      log: rec.log,
      retry: FAST,
      timeoutMs: 50,
    });
    expect(result).toEqual({ ok: true, via: 'chat.postMessage', ts: '1.1' });
    expect(calls).toBe(2);
    expect(rec.warnings).toHaveLength(1);
    expect(rec.warnings[0]).toMatch(/attempt 1 of 3 failed \(.*timeout.*\)/);
  });

  test('posts to the channel with the token as a Bearer header', async () => {
    let sent: Body | undefined;
    const scope = nock('https://slack.test')
      .post('/api/chat.postMessage', (b: Body) => {
        sent = b;
        return true;
      })
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .matchHeader('content-type', 'application/json; charset=utf-8')
      .reply(200, { ok: true, channel: 'C0123456789', ts: '1740823950.000100' });
    const rec = recorder();
    const result = await postToSlack(MESSAGE, {
      token: TOKEN,
      channel: '#chaos',
      apiUrl: slackApiUrl({ SLACK_API_URL: `${API}/` }),
      log: rec.log,
      retry: FAST,
    });
    expect(scope.isDone()).toBe(true);
    expect(result).toEqual({
      ok: true,
      via: 'chat.postMessage',
      channel: 'C0123456789',
      ts: '1740823950.000100',
    });
    expect(sent).toEqual({
      channel: '#chaos',
      ...MESSAGE,
      unfurl_links: false,
      unfurl_media: false,
    });
    expectNoSecrets(rec, result);
  });

  test('the bot token wins over a webhook set as well', async () => {
    const api = nock('https://slack.test').post('/api/chat.postMessage').reply(200, { ok: true });
    const rec = recorder();
    const result = await postToSlack(MESSAGE, {
      token: TOKEN,
      channel: 'C0123456789',
      webhookUrl: WEBHOOK,
      apiUrl: API,
      log: rec.log,
      retry: FAST,
    });
    expect(result.ok).toBe(true);
    expect(api.isDone()).toBe(true);
    expect(rec.lines[0]).toContain('posting with the bot token');
    expectNoSecrets(rec, result);
  });

  test('429 with Retry-After: waits as asked, then posts', async () => {
    const scope = nock('https://slack.test')
      .post('/api/chat.postMessage')
      .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '1' })
      .post('/api/chat.postMessage')
      .reply(200, { ok: true, channel: 'C0123456789', ts: '1.2' });
    const rec = recorder();
    const started = Date.now();
    const result = await postToSlack(MESSAGE, {
      token: TOKEN,
      channel: '#chaos',
      apiUrl: API,
      log: rec.log,
      retry: FAST,
    });
    expect(result.ok).toBe(true);
    expect(scope.isDone()).toBe(true);
    expect(rec.warnings).toHaveLength(1);
    expect(rec.warnings[0]).toContain('attempt 1 of 3 failed');
    expect(rec.warnings[0]).toContain('HTTP 429');
    expect(rec.warnings[0]).toContain('(Retry-After 1 s)');
    expect(rec.warnings[0]).toMatch(/retrying in 1000 ms$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expectNoSecrets(rec, result);
  });

  test('a Retry-After beyond a minute is not waited for', async () => {
    nock('https://slack.test')
      .post('/api/chat.postMessage')
      .reply(429, 'ratelimited', { 'Retry-After': '3600' });
    const rec = recorder();
    const result = await postToSlack(MESSAGE, {
      token: TOKEN,
      channel: '#chaos',
      apiUrl: API,
      log: rec.log,
      retry: FAST,
    });
    expect(rec.warnings).toEqual([]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.warning).toContain('(Retry-After 3600 s); not waiting that long');
  });

  test.each([
    ['channel_not_found', 'check slack-channel'],
    ['not_in_channel', 'invite it (/invite @your-app)'],
    ['invalid_auth', 'The slack-token is not valid'],
    ['missing_scope', 'chat:write scope'],
    ['is_archived', 'The channel is archived'],
  ])(
    '{ok: false, error: %s} (HTTP 200): a warning naming it and what to do',
    async (code, hint) => {
      const scope = nock('https://slack.test')
        .post('/api/chat.postMessage')
        .reply(200, { ok: false, error: code });
      const rec = recorder();
      const result = await postToSlack(MESSAGE, {
        token: TOKEN,
        channel: '#chaos',
        apiUrl: API,
        log: rec.log,
        retry: FAST,
      });
      expect(scope.isDone()).toBe(true);
      expect(rec.warnings).toEqual([]); // refused, not retried
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.warning).toContain(
          `Slack message not posted: Slack chat.postMessage to #chaos at https://slack.test: ${code}`,
        );
        expect(result.warning).toContain(hint);
      }
      expectNoSecrets(rec, result);
    },
  );

  test("invalid_blocks quotes Slack's explanation", async () => {
    nock('https://slack.test')
      .post('/api/chat.postMessage')
      .reply(200, {
        ok: false,
        error: 'invalid_blocks',
        response_metadata: {
          messages: ['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text]'],
        },
      });
    const rec = recorder();
    const result = await postToSlack(MESSAGE, {
      token: TOKEN,
      channel: '#chaos',
      apiUrl: API,
      log: rec.log,
      retry: FAST,
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.warning).toContain(
        'invalid_blocks: [ERROR] must be less than 151 characters [json-pointer:/blocks/0/text]',
      );
  });

  test('an answer that is not the Slack API names SLACK_API_URL', async () => {
    nock('https://slack.test')
      .post('/api/chat.postMessage')
      .reply(200, '<html>proxy login</html>', { 'Content-Type': 'text/html' });
    const rec = recorder();
    const result = await postToSlack(MESSAGE, {
      token: TOKEN,
      channel: '#chaos',
      apiUrl: API,
      log: rec.log,
      retry: FAST,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.warning).toContain('is SLACK_API_URL right?');
  });

  test('a token echoed back by a proxy is scrubbed', async () => {
    nock('https://slack.test')
      .post('/api/chat.postMessage')
      .reply(200, { ok: false, error: `bad header Authorization: Bearer ${TOKEN}` });
    const rec = recorder();
    const result = await postToSlack(MESSAGE, {
      token: TOKEN,
      channel: '#chaos',
      apiUrl: API,
      log: rec.log,
      retry: FAST,
    });
    expect(result.ok).toBe(false);
    expectNoSecrets(rec, result);
  });
});

describe('configuration', () => {
  test('nothing to post with: a warning, no request', async () => {
    const rec = recorder();
    const result = await postToSlack(MESSAGE, { log: rec.log });
    expect(result).toEqual({
      ok: false,
      warning:
        'Slack: nothing to post with: set slack-webhook-url, or slack-token and slack-channel.',
    });
  });

  test('SLACK_API_URL, else slack.com', () => {
    expect(slackApiUrl({})).toBe('https://slack.com/api');
    expect(slackApiUrl({ SLACK_API_URL: ' ' })).toBe('https://slack.com/api');
    expect(slackApiUrl({ SLACK_API_URL: 'https://slack-gov.com/api/' })).toBe(
      'https://slack-gov.com/api/',
    );
  });
});
