/**
 * Text from the suite or the cluster, made inert for Markdown: no formatting, links, HTML,
 * mentions or table breaks can be smuggled into a comment or summary. Parentheses stay as they
 * are: with `[` escaped they cannot form a link.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]#+!|~>]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/@/g, '@\u200b')
    .replace(/\r?\n/g, ' ');
}
