import type { z } from 'zod';
import type { ValidationIssue } from '../errors';

/** Options of {@link zodIssues}. @public */
export interface ZodIssuesOptions {
  /** Path segments put before each issue's own path, e.g. `['providers', 'fc']`. */
  prefix?: readonly string[];
  /** The path shown for an issue about the whole value (default the empty string). */
  rootPath?: string;
  /** The message of an issue; e.g. one that never echoes a credential value. Default zod's message. */
  message?: (issue: z.core.$ZodIssue) => string;
}

/**
 * zod's issues as faasport {@link ValidationIssue}s: a dotted path, zod's message and its code as
 * the rule. The single conversion every package uses, so issues read the same everywhere.
 *
 * @public
 */
export function zodIssues(error: z.ZodError, options: ZodIssuesOptions = {}): ValidationIssue[] {
  const { prefix = [], rootPath = '', message = (issue) => issue.message } = options;
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.') || rootPath,
    message: message(issue),
    rule: issue.code,
  }));
}
