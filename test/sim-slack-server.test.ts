/**
 * The loopback Slack (src/sim/slack.ts) driven by our sender and builder (src/report/slack-send.ts,
 * src/report/slack.ts): a run's message through the webhook and through chat.postMessage, 429
 * with Retry-After, 5xx retried, Slack's refusals as warnings, and Block Kit's limits: what the
 * builder makes from the worst suite passes them, a message that breaks them is refused.
 */
import type { ExperimentResult } from '../src/engine/result.js';
import type { Logger } from '../src/log.js';
import type { RetryPolicy } from '../src/retry.js';
import { postToSlack } from '../src/report/slack-send.js';
import {
  buildSlackMessage,
  type SlackMessage,
  type SlackMessageInput,
} from '../src/report/slack.js';
import type { SuiteVerdict } from '../src/score/score.js';
import { blockKitProblems, startSlackServer, type SlackServer } from '../src/sim/slack.js';

const FAST: RetryPolicy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
const AT = '2025-03-01T10:00:00.000Z';

let slack: SlackServer;
let lines: string[];

const log: Logger = {
  info: (m) => lines.push(`info: ${m}`),
  warning: (m) => lines.push(`warning: ${m}`),
  problem: (i) => lines.push(`problem: ${i.message}`),
  debug: (m) => lines.push(`debug: ${m}`),
  group: (_, fn) => fn(),
};

function experiment(
  name: string,
  verdict: ExperimentResult['verdict'],
  reason: string,
  index = 0,
): ExperimentResult {
  return {
    name,
    index,
    provider: 'litmus',
    weight: 1,
    critical: false,
    verdict,
    reason,
    started: true,
    created: [],
    cleanupProblems: [],
  };
}

function run(
  verdict: SuiteVerdict,
  results: ExperimentResult[],
  o: Partial<SlackMessageInput> = {},
): SlackMessageInput {
  return {
    report: {
      runId: 'cg-20250301-abc123',
      verdict,
      score: { score: 43.8, covered: results.length, total: results.length },
      outcome: {
        results,
        prepareProblems: [],
        cleanupProblems: [],
        cancelled: false,
        startedAt: AT,
        finishedAt: AT,
      },
      gates: { breaches: [], result: verdict === 'pass' ? 'pass' : 'fail' },
      leftover: { version: 1, runId: 'cg-20250301-abc123', entries: [] },
    },
    suiteName: 'checkout',
    environment: 'staging',
    runUrl: 'https://github.example/acme/shop/actions/runs/42',
    prUrl: 'https://github.example/acme/shop/pull/7',
    ...o,
  };
}

const FAILED = run('fail', [
  experiment('pod-delete', 'pass', 'all probes passed', 0),
  experiment('network-latency', 'fail', 'probe storefront: 88% of samples succeeded', 1),
]);

beforeEach(async () => {
  lines = [];
  slack = await startSlackServer({
    channels: [
      { id: 'C0CHAOS0001', name: 'chaos' },
      { id: 'C0PRIVATE01', name: 'private', member: false },
      { id: 'C0OLD000001', name: 'old', archived: true },
    ],
  });
});

afterEach(async () => {
  await slack.close();
  // Neither the token nor the webhook's secret path is ever said.
  const said = lines.join('\n');
  expect(said).not.toContain(slack.token);
  expect(said).not.toContain('/services/T000/B000/XXXX');
});

describe('incoming webhook', () => {
  test("a run's message is posted, answered `ok`, and recorded as sent", async () => {
    const message = buildSlackMessage(FAILED);
    const r = await postToSlack(message, { webhookUrl: slack.webhookUrl, log, retry: FAST });
    expect(r).toEqual({ ok: true, via: 'webhook' });
    expect(slack.messages).toEqual([
      {
        via: 'webhook',
        channel: 'C0CHAOS0001',
        ts: expect.stringMatching(/^\d{10}\.\d{6}$/),
        text: message.text,
        blocks: message.blocks,
        payload: { ...message, unfurl_links: false, unfurl_media: false },
      },
    ]);
    expect(slack.requests).toEqual([
      { method: 'POST', path: '/services/T000/B000/XXXX', status: 200 },
    ]);
    expect(lines).toEqual([`info: Slack webhook at ${slack.url}: posted.`]);
  });

  test('5xx, then ok: the retry is logged and one message is recorded', async () => {
    slack.failNext(1, 500);
    const r = await postToSlack(buildSlackMessage(FAILED), {
      webhookUrl: slack.webhookUrl,
      log,
      retry: FAST,
    });
    expect(r).toEqual({ ok: true, via: 'webhook' });
    expect(slack.requests.map((q) => [q.status, q.error])).toEqual([
      [500, 'rollup_error'],
      [200, undefined],
    ]);
    expect(lines[0]).toMatch(
      /^warning: Slack webhook at http:\/\/127\.0\.0\.1:\d+: attempt 1 of 3 failed \(HTTP 500 Internal Server Error: rollup_error\); retrying in \d+ ms$/,
    );
    expect(slack.messages).toHaveLength(1);
  });

  test('a message that breaks Block Kit limits: 400 invalid_blocks, not retried, a warning', async () => {
    const tooLong: SlackMessage = {
      text: 'chaos-gate',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }],
    };
    const r = await postToSlack(tooLong, { webhookUrl: slack.webhookUrl, log, retry: FAST });
    expect(r).toEqual({
      ok: false,
      warning: `Slack message not posted: Slack webhook at ${slack.url}: HTTP 400 Bad Request: invalid_blocks. Slack refused the message layout (please report this to chaos-gate).`,
    });
    expect(slack.requests).toEqual([
      {
        method: 'POST',
        path: '/services/T000/B000/XXXX',
        status: 400,
        error: 'invalid_blocks',
        problems: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      },
    ]);
    expect(slack.messages).toEqual([]);
  });

  test('unreadable payloads and unknown webhooks are refused as Slack does', async () => {
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${slack.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    const answers = await Promise.all([
      post('/services/T000/B000/XXXX', '{not json'),
      post('/services/T000/B000/XXXX', JSON.stringify({ blocks: 'nope' })),
      post('/services/T000/B000/XXXX', JSON.stringify({})),
      post('/services/T999/B999/WRONG', JSON.stringify({ text: 'hi' })),
      post(
        '/services/T000/B000/XXXX',
        `payload=${encodeURIComponent(JSON.stringify({ text: 'form' }))}`,
        'application/x-www-form-urlencoded',
      ),
    ]);
    expect(await Promise.all(answers.map(async (a) => [a.status, await a.text()]))).toEqual([
      [400, 'invalid_payload'],
      [400, 'invalid_blocks_format'],
      [400, 'no_text'],
      [404, 'no_service'],
      [200, 'ok'],
    ]);
    expect(slack.messages.map((m) => m.text)).toEqual(['form']);
  });
});

describe('chat.postMessage with a bot token', () => {
  const api = (o: { token?: string; channel?: string } = {}) => ({
    token: o.token ?? slack.token,
    channel: o.channel ?? '#chaos',
    apiUrl: slack.apiUrl,
    log,
    retry: FAST,
  });

  test('posted to the channel by name; the answer carries its id and ts', async () => {
    const message = buildSlackMessage(FAILED);
    const r = await postToSlack(message, api());
    expect(r).toEqual({
      ok: true,
      via: 'chat.postMessage',
      channel: 'C0CHAOS0001',
      ts: slack.messages[0]?.ts,
    });
    expect(slack.messages).toEqual([
      expect.objectContaining({
        via: 'chat.postMessage',
        channel: 'C0CHAOS0001',
        text: message.text,
        blocks: message.blocks,
      }),
    ]);
    expect(slack.messages[0]!.payload).toMatchObject({ channel: '#chaos', unfurl_links: false });
  });

  test.each([
    [{ token: 'xoxb-wrong' }, 'invalid_auth', 'The slack-token is not valid'],
    [{ channel: 'C0NOPE' }, 'channel_not_found', 'The channel was not found'],
    [{ channel: '#private' }, 'not_in_channel', 'The bot is not in the channel'],
    [{ channel: 'C0OLD000001' }, 'is_archived', 'The channel is archived'],
  ])('%j: %s, a warning with the hint, no retry', async (o, code, hint) => {
    const r = await postToSlack(buildSlackMessage(FAILED), api(o));
    expect(r).toEqual({ ok: false, warning: expect.stringContaining(`: ${code}. ${hint}`) });
    expect(slack.requests).toEqual([
      { method: 'POST', path: '/api/chat.postMessage', status: 200, error: code },
    ]);
    expect(slack.messages).toEqual([]);
  });

  test('429 with Retry-After: waited for, then posted', async () => {
    slack.failNext(1, 429, { retryAfter: 1 });
    const started = Date.now();
    const r = await postToSlack(buildSlackMessage(FAILED), api());
    expect(r).toMatchObject({ ok: true, via: 'chat.postMessage' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(slack.requests.map((q) => [q.status, q.error])).toEqual([
      [429, 'ratelimited'],
      [200, undefined],
    ]);
    expect(lines[0]).toMatch(
      /^warning: Slack chat\.postMessage to #chaos at http:\/\/127\.0\.0\.1:\d+: attempt 1 of 3 failed \(HTTP 429 Too Many Requests: ratelimited \(Retry-After 1 s\)\); retrying in 1000 ms$/,
    );
  });

  test('429 asking for more than a minute: not waited for, a warning', async () => {
    slack.failNext(1, 429, { retryAfter: 120 });
    const r = await postToSlack(buildSlackMessage(FAILED), api());
    expect(r).toEqual({
      ok: false,
      warning: expect.stringContaining(
        'HTTP 429 Too Many Requests: ratelimited (Retry-After 120 s); not waiting that long',
      ),
    });
    expect(slack.requests).toHaveLength(1);
  });

  test('a too-long message: invalid_blocks with what Slack says is wrong', async () => {
    const tooLong: SlackMessage = {
      text: 'chaos-gate',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        ...Array.from({ length: 50 }, () => ({ type: 'divider' as const })),
      ],
    };
    const r = await postToSlack(tooLong, api());
    expect(r).toEqual({
      ok: false,
      warning: expect.stringContaining(
        ': invalid_blocks: [ERROR] no more than 50 items allowed [json-pointer:/blocks]; [ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]. Slack refused the message layout',
      ),
    });
    expect(slack.messages).toEqual([]);
  });
});

describe('Block Kit limits', () => {
  test('the builder keeps the worst suite within them: accepted by both endpoints', async () => {
    const huge = 'ü*_~`<@U1>&'.repeat(2000);
    const results = Array.from({ length: 300 }, (_, i) =>
      experiment(`${huge}-${i}`, i % 3 === 0 ? 'aborted' : 'fail', huge, i),
    );
    const message = buildSlackMessage(
      run('fail', results, {
        suiteName: huge,
        environment: huge,
        runUrl: `https://github.example/${'a'.repeat(5000)}`,
      }),
    );
    expect(blockKitProblems(message.blocks)).toEqual([]);
    expect(await postToSlack(message, { webhookUrl: slack.webhookUrl, log, retry: FAST })).toEqual({
      ok: true,
      via: 'webhook',
    });
    expect(
      await postToSlack(message, {
        token: slack.token,
        channel: 'C0CHAOS0001',
        apiUrl: slack.apiUrl,
        log,
        retry: FAST,
      }),
    ).toMatchObject({ ok: true });
    expect(slack.messages).toHaveLength(2);
  });

  test('what is checked', () => {
    expect(
      blockKitProblems([
        {
          type: 'section',
          fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })),
        },
        { type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] },
        {
          type: 'context',
          elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })),
        },
        { type: 'header', text: { type: 'mrkdwn', text: 'not plain' } },
        { type: 'section', text: { type: 'mrkdwn', text: '' } },
        { type: 'section' },
        { type: 'nonsense' },
      ]),
    ).toEqual([
      '[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/fields]',
      '[ERROR] must be less than 2001 characters [json-pointer:/blocks/1/fields/0/text]',
      '[ERROR] no more than 10 items allowed [json-pointer:/blocks/2/elements]',
      '[ERROR] must be one of "plain_text" [json-pointer:/blocks/3/text/type]',
      '[ERROR] must be more than 0 characters [json-pointer:/blocks/4/text/text]',
      '[ERROR] must provide either text or fields [json-pointer:/blocks/5]',
      '[ERROR] unsupported type [json-pointer:/blocks/6/type]',
    ]);
  });
});
