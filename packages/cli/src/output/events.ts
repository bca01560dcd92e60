import type { DeployEvent, DeployEventListener } from '@faasport/core';
import type { CliContext } from '../context';

/** `v1 90%, v2 10% (canary)` @internal */
export function trafficText(
  traffic: ReadonlyArray<{ revision: string; percent: number; tag?: string }>,
): string {
  return traffic.map((t) => `${t.revision} ${t.percent}%${t.tag ? ` (tag ${t.tag})` : ''}`).join(', ');
}

/**
 * Renders the engine's typed event stream as progress lines on stderr. The CLI never reports
 * progress any other way: what a script gets from `onEvent`, a person sees here. With `--json`
 * nothing is printed (stdout carries only the result).
 *
 * @public
 */
export function progressRenderer(
  ctx: CliContext,
  options: { showPlanEvents?: boolean } = {},
): DeployEventListener {
  const c = ctx.err;
  const tty = ctx.io.stderr.isTTY === true && c.enabled;
  let pendingStep: string | undefined;
  const line = (text: string) => {
    pendingStep = undefined;
    ctx.note(text);
  };
  return (event: DeployEvent) => {
    if (ctx.json) return;
    switch (event.type) {
      case 'plan-start':
        if (options.showPlanEvents) line(c.dim(`• planning ${event.functionName} on ${event.target}`));
        return;
      case 'plan-end':
        return;
      case 'warning':
        line(
          `${c.yellow('⚠')} ${event.functionName}: ${event.issue.message}${event.issue.hint ? c.dim(` (${event.issue.hint})`) : ''}`,
        );
        return;
      case 'step-start':
        line(`  ${c.dim('…')} ${event.step.summary}`);
        pendingStep = event.step.id;
        return;
      case 'step-end': {
        const done = `  ${c.green('✓')} ${event.step.summary} ${c.dim(`(${event.ms} ms)`)}`;
        // On a terminal, the finished step replaces its "…" line.
        if (tty && pendingStep === event.step.id) ctx.io.stderr.write(`\u001b[1A\u001b[2K${done}\n`);
        else ctx.note(done);
        pendingStep = undefined;
        return;
      }
      case 'wait':
        line(`  ${c.dim('…')} waiting: ${event.what}`);
        return;
      case 'traffic':
        line(`  ${c.cyan('⇄')} traffic ${event.functionName}: ${trafficText(event.traffic)}`);
        return;
      case 'rollout-step':
        line(`  ${c.cyan('⇄')} rollout ${event.functionName}: ${event.percent}% to ${event.revision}`);
        return;
      case 'check':
        line(`  ${event.ok ? c.green('✓') : c.red('✖')} check: ${event.detail}`);
        return;
      case 'rollback':
        line(`  ${c.yellow('↺')} rollback: ${event.what}`);
        return;
      case 'done':
        line(
          event.changed
            ? `${c.green('✓')} ${c.bold(event.functionName)} deployed to ${event.target} ${c.dim(`in ${event.ms} ms`)}${event.url ? `  ${c.cyan(event.url)}` : ''}`
            : `${c.green('✓')} ${c.bold(event.functionName)} unchanged on ${event.target}${event.url ? `  ${c.cyan(event.url)}` : ''}`,
        );
        return;
    }
  };
}
