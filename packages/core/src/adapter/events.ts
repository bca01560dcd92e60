import type { CheckIssue, Plan, Step } from './plan';

/**
 * The typed progress stream of plan, deploy, traffic and rollout. The CLI only renders these; code
 * can subscribe with `onEvent`. Names follow `<noun>-<action>`.
 *
 * @public
 */
export type DeployEvent =
  | { type: 'plan-start'; functionName: string; target: string }
  | { type: 'plan-end'; functionName: string; target: string; plan: Plan }
  | { type: 'warning'; functionName: string; issue: CheckIssue }
  | { type: 'step-start'; functionName: string; step: Pick<Step, 'id' | 'action' | 'resource' | 'summary'> }
  | {
      type: 'step-end';
      functionName: string;
      step: Pick<Step, 'id' | 'action' | 'resource' | 'summary'>;
      ms: number;
    }
  | { type: 'wait'; functionName: string; what: string; elapsedMs: number }
  | {
      type: 'traffic';
      functionName: string;
      traffic: Array<{ revision: string; percent: number; tag?: string }>;
    }
  | { type: 'rollout-step'; functionName: string; percent: number; revision: string }
  | { type: 'check'; functionName: string; ok: boolean; detail: string }
  | { type: 'rollback'; functionName: string; what: string }
  | { type: 'done'; functionName: string; target: string; changed: boolean; url?: string; ms: number };

/** A listener of deploy events. @public */
export type DeployEventListener = (event: DeployEvent) => void;
