import {
  type Document,
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  type Node,
  parseAllDocuments,
  stringify,
  visit,
} from 'yaml';
import { ValidationError, type ValidationIssue } from '../errors';

/**
 * How many copies aliases may make in one YAML document, counted as the `yaml` package counts them
 * (uses of an anchor times the aliases nested in it). Its default, 100, is too low for a real project
 * file: 101 `<<: *common` merges failed. This still stops an alias bomb (aliases of aliases, growing
 * exponentially) long before it costs memory.
 *
 * @public
 */
export const maxYamlAliasCount = 10_000;

/**
 * YAML text of a plain value, as faasport writes files and manifests: block style, long strings kept
 * on one line (`lineWidth: 0`, so a copied value is never folded). Other packages call this instead
 * of importing `yaml` themselves: core's build carries yaml as one module, loaded once.
 *
 * @public
 */
export function stringifyYaml(value: unknown, options: { lineWidth?: number } = {}): string {
  return stringify(value, { lineWidth: 0, ...options });
}

/** What `parseYaml`'s errors name: the file or a subject, and the adapter reading it. @public */
export interface YamlSource {
  file?: string;
  subject?: string;
  adapter?: string;
}

/**
 * Parses YAML text into plain values, one per document, the way users write it: YAML 1.2 with `<<`
 * merge keys (YAML 1.1, used by Compose and CI files), anchors and aliases up to
 * {@link maxYamlAliasCount}. Any problem, syntax or alias, is a {@link ValidationError} whose
 * message names the line; nothing escapes as an internal error.
 *
 * @public
 */
export function parseYaml(text: string, source: YamlSource = {}): unknown[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { prettyErrors: true, merge: true, lineCounter });
  const list = Array.isArray(documents) ? documents : [documents];
  const values: unknown[] = [];
  for (const doc of list) {
    if (doc.errors.length) {
      throw invalid(
        source,
        doc.errors.map((e) => ({
          path: '',
          message: `is not valid YAML at line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`,
          rule: 'syntax',
        })),
      );
    }
    try {
      values.push(doc.toJS({ maxAliasCount: maxYamlAliasCount }));
    } catch (error) {
      throw invalid(source, [aliasIssue(doc, lineCounter, error as Error)]);
    }
  }
  return values;
}

function invalid(source: YamlSource, issues: ValidationIssue[]): ValidationError {
  return new ValidationError(issues, {
    ...(source.file ? { file: source.file } : {}),
    ...(source.subject ? { subject: source.subject } : {}),
    ...(source.adapter ? { adapter: source.adapter } : {}),
    hint: 'Fix the YAML at the line named.',
  });
}

/**
 * The issue for an error `toJS` threw, naming the alias that caused it. The `yaml` package's own
 * messages carry no position, so its alias rules are replayed in document order (the order `toJS`
 * resolves them) to find the first alias that breaks one.
 */
function aliasIssue(doc: Document.Parsed, lines: LineCounter, error: Error): ValidationIssue {
  const at = (node: Node | undefined) => (node?.range ? lines.linePos(node.range[0]).line : '?');
  const anchors = new Map<string, Node>();
  const targets = new Map<Node, Node>();
  const uses = new Map<Node, { count: number; nested: number }>();
  /** The copies one use of `node` makes, as `yaml` counts them: the most any alias inside it makes. */
  const copies = (node: unknown): number => {
    if (isAlias(node)) {
      const use = uses.get(targets.get(node) as Node);
      return use ? use.count * use.nested : 0;
    }
    if (isCollection(node)) return Math.max(0, ...node.items.map(copies));
    if (isPair(node)) return Math.max(copies(node.key), copies(node.value));
    return 1;
  };
  let issue: ValidationIssue | undefined;
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (!target) {
          issue = {
            path: '',
            message: `is not valid YAML at line ${at(node)}: alias *${node.source} has no anchor &${node.source} before it`,
            rule: 'alias',
          };
          return visit.BREAK;
        }
        targets.set(node, target);
        const use = uses.get(target) ?? { count: 0, nested: 0 };
        uses.set(target, use);
        use.count++;
        if (use.nested === 0) use.nested = copies(target);
        if (use.count * use.nested > maxYamlAliasCount) {
          issue = {
            path: '',
            message: `is not valid YAML at line ${at(node)}: alias *${node.source} takes the aliases of this document past ${maxYamlAliasCount} copies (uses of an anchor times the aliases inside it), the limit that stops alias bombs; repeat less through aliases, or nest fewer aliases in anchored values`,
            rule: 'alias-limit',
          };
          return visit.BREAK;
        }
      } else if ((isScalar(node) || isCollection(node)) && node.anchor) anchors.set(node.anchor, node);
      return undefined;
    },
  });
  return (
    issue ?? {
      path: '',
      message: `is not valid YAML: ${error.message}`,
      rule: 'alias',
    }
  );
}
