import type { ResolvedTrafficEntry } from '../model';

/**
 * A problem an adapter's offline check found. `error` stops the deploy before any write; `warning`
 * is shown and the deploy goes on.
 *
 * @public
 */
export interface CheckIssue {
  severity: 'error' | 'warning';
  /** The feature or limit concerned, e.g. `trigger.storage` or `resources.memory`. */
  feature: string;
  /** Where in the function, e.g. `resources.memory`. */
  path?: string;
  message: string;
  /** What to do instead. */
  hint?: string;
  /** For limits: the value given and what is allowed. */
  actual?: unknown;
  allowed?: string;
}

/** One field that differs between live and desired. Secret values are never included. @public */
export interface FieldChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

/**
 * One write step of a plan. `action` and `resource` say what it does (`create function`, `update alias
 * prod`); `changes` list the fields; `data` is the adapter's own payload for `apply`.
 *
 * @public
 */
export interface Step {
  /** Unique within the plan, e.g. `function`, `trigger:http`, `traffic`. */
  id: string;
  action: 'create' | 'update' | 'delete' | 'publish';
  /** The provider resource, e.g. `service coffee`, `trigger timer`, `alias prod`. */
  resource: string;
  /** One line for humans: `create FC function coffee (nodejs20, 512 MB)`. */
  summary: string;
  changes: FieldChange[];
  /**
   * When it runs: `prepare` (secrets, config maps, services), `revision` (code and config, a new
   * revision), `traffic` (moves requests; engine-owned), `finalize` (triggers, domains, scaling
   * settings that need the revision). Steps run in phase order, and in list order within a phase.
   */
  phase: 'prepare' | 'revision' | 'traffic' | 'finalize';
  /** Adapter payload for apply (request bodies). Must not contain secret values. */
  data?: unknown;
}

/** An ordered list of steps, empty when live already matches desired. @public */
export interface Plan {
  functionName: string;
  target: string;
  /** `create` when the function does not exist yet, `update` when it does, `none` when nothing changes. */
  kind: 'create' | 'update' | 'none';
  steps: Step[];
  warnings: CheckIssue[];
  /**
   * Fields changed outside faasport since the last deploy: the function's configuration is the one
   * faasport deployed (a live revision carries its revisionHash), yet the live fields differ.
   */
  drift: FieldChange[];
  /**
   * Fields the user changed in the project since the last deploy (the revision is new): `from` is the
   * live value, `to` the one from faasport.yaml. A deploy applies them.
   */
  edits: FieldChange[];
  /** The revision a deploy will serve as `latest`. */
  revisionLabel: string;
  /** The traffic after the deploy. */
  traffic: ResolvedTrafficEntry[];
}
