import type { FieldChange, Plan } from '@faasport/core';
import type { CliContext } from '../context';

const marks = { create: '+', update: '~', delete: '-', publish: '↑' } as const;

function value(v: unknown): string {
  if (v === undefined) return '(none)';
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function changeLine(change: FieldChange): string {
  if (change.from === undefined) return `${change.path}: ${value(change.to)}`;
  if (change.to === undefined) return `${change.path}: ${value(change.from)} → (removed)`;
  return `${change.path}: ${value(change.from)} → ${value(change.to)}`;
}

/**
 * Prints plans like a terraform plan: one block per function with a mark per step (`+` create,
 * `~` update, `-` delete, `↑` publish), the changed fields, warnings and drift, then a summary line.
 *
 * @public
 */
export function printPlans(ctx: CliContext, plans: Plan[], stream: 'stdout' | 'stderr' = 'stdout'): void {
  const c = stream === 'stdout' ? ctx.out : ctx.err;
  const print = (line: string) => (stream === 'stdout' ? ctx.print(line) : ctx.note(line));
  const colourOf = { create: c.green, update: c.yellow, delete: c.red, publish: c.cyan } as const;
  for (const plan of plans) {
    const kind =
      plan.kind === 'none'
        ? c.dim('no changes')
        : plan.kind === 'create'
          ? c.green('create')
          : c.yellow('update');
    print(
      `${c.bold(plan.functionName)} on ${plan.target}: ${kind}${plan.kind === 'none' ? '' : c.dim(`  (revision ${plan.revisionLabel})`)}`,
    );
    for (const step of plan.steps) {
      const paint = colourOf[step.action];
      print(`  ${paint(marks[step.action])} ${step.summary}`);
      for (const change of step.changes) print(`      ${c.dim(changeLine(change))}`);
    }
    for (const edit of plan.edits) print(`  ${c.cyan('•')} changed in faasport.yaml: ${changeLine(edit)}`);
    for (const drift of plan.drift)
      print(`  ${c.yellow('!')} changed outside faasport: ${changeLine(drift)}`);
    for (const w of plan.warnings)
      print(`  ${c.yellow('⚠')} ${w.message}${w.hint ? c.dim(` (${w.hint})`) : ''}`);
  }
  const count = (k: Plan['kind']) => plans.filter((p) => p.kind === k).length;
  const changed = count('create') + count('update');
  print('');
  print(
    changed === 0
      ? c.green('No changes. Every function is up to date.')
      : `${c.bold('Plan:')} ${count('create')} to create, ${count('update')} to update, ${count('none')} unchanged.`,
  );
}
