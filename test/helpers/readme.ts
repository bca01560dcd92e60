import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './bin';

/** A fenced code block of a Markdown file, with the `##` section it is in. */
export interface CodeBlock {
  section: string;
  lang: string;
  text: string;
}

/** Every fenced code block of `file` (relative to the repository root), in order. */
export function codeBlocks(file: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let section = '';
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of readFileSync(join(repoRoot, file), 'utf8').split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        blocks.push({ section, lang: open.lang, text: `${open.lines.join('\n')}\n` });
        open = undefined;
      } else open.lines.push(line);
      continue;
    }
    const fence = /^```(\w*)/.exec(line);
    if (fence) open = { lang: fence[1] ?? '', lines: [] };
    else if (line.startsWith('## ')) section = line.slice(3).trim();
  }
  return blocks;
}

/** One shell command of a block, with its trailing `# comment` and the comment lines right after it. */
export interface ShellCommand {
  command: string;
  comment: string;
  following: string[];
}

/**
 * Splits a `sh` block into commands: `\` continues a line, `#` starts a comment outside quotes, and
 * a comment line right after a command belongs to it (the README writes expected output there).
 */
export function shellCommands(block: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let pending = '';
  for (const raw of block.split('\n')) {
    const line = pending + raw;
    if (line.endsWith('\\')) {
      pending = `${line.slice(0, -1)} `;
      continue;
    }
    pending = '';
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (trimmed.startsWith('#')) {
      commands[commands.length - 1]?.following.push(trimmed.slice(1).trim());
      continue;
    }
    const at = commentStart(trimmed);
    commands.push({
      command: (at === -1 ? trimmed : trimmed.slice(0, at)).trim(),
      comment: at === -1 ? '' : trimmed.slice(at + 1).trim(),
      following: [],
    });
  }
  return commands;
}

/** Where a `#` comment starts in a shell line (outside quotes, after a blank), or -1. */
function commentStart(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '#' && (i === 0 || line[i - 1] === ' ')) return i;
  }
  return -1;
}

/** A README text with `…` standing for anything, as a regular expression (of the whole text when `whole`). */
export function pattern(expected: string, whole = false): RegExp {
  const body = expected
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(whole ? `^${body}$` : body);
}
