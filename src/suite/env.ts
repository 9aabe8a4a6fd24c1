/**
 * `${NAME}` and `${NAME:-default}` in suite and manifest values, taken from the environment.
 * `$${` stands for a literal `${` (a shell snippet in a probe command, say).
 */
export type Env = Readonly<Record<string, string | undefined>>;

export type Substitution =
  | { ok: true; value: string; changed: boolean }
  | { ok: false; missing: string[]; malformed?: string };

const PATTERN = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function substituteEnv(text: string, env: Env): Substitution {
  if (!text.includes('${')) return { ok: true, value: text, changed: false };
  const missing: string[] = [];
  let malformed: string | undefined;
  const value = text.replace(PATTERN, (match: string, body: string | undefined) => {
    if (match === '$${') return '${';
    const expr = body ?? '';
    const sep = expr.indexOf(':-');
    const name = sep === -1 ? expr : expr.slice(0, sep);
    if (!NAME.test(name)) {
      malformed ??= match;
      return match;
    }
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (sep !== -1) return expr.slice(sep + 2);
    if (set === '') return '';
    missing.push(name);
    return match;
  });
  if (malformed !== undefined) return { ok: false, missing, malformed };
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, value, changed: true };
}
