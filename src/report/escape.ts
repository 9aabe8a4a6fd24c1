/**
 * Text from the suite or the cluster, made inert for Markdown: no formatting, links, HTML,
 * mentions or table breaks can be smuggled into a comment or summary.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+!|~>]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/@/g, '@\u200b')
    .replace(/\r?\n/g, ' ');
}
