import { escapeMarkdown } from '../src/report/escape.js';

describe('escapeMarkdown', () => {
  test.each([
    ['plain-name_1', 'plain-name\\_1'],
    ['**bold** and `code`', '\\*\\*bold\\*\\* and \\`code\\`'],
    ['[click](https://evil.example)', '\\[click\\](https://evil.example)'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)\\>'],
    ['a | b', 'a \\| b'],
    ['@org/team', '@\u200borg/team'],
    ['line1\nline2', 'line1 line2'],
    ['# heading', '\\# heading'],
  ])('%j', (input, output) => {
    expect(escapeMarkdown(input)).toBe(output);
  });
});
