import type { Step } from '../adapter';
import { ValidationError } from '../errors';

/** What {@link versionPublishSteps} compares: the revision wanted and the platform's version with its label. @public */
export interface VersionPublishInput {
  functionName: string;
  revisionLabel: string;
  revisionHash: string;
  /** The live version that carries `revisionLabel`, if any: its platform name and the hash recorded on it. */
  existing?: { name: string; revisionHash: string | undefined };
  /** The platform's name for messages (`Lambda`, `FunctionGraph`). */
  platform: string;
  adapter: string;
}

/**
 * The `version` step of a plan on a platform whose versions are immutable: publish when no version
 * carries the revision's label, nothing when one does with the same revision hash.
 *
 * @throws {@link ValidationError} (rule `revision-immutable`) when a version with that label holds other
 *   code or settings: it cannot be changed, so the revision needs a new label.
 * @public
 */
export function versionPublishSteps(input: VersionPublishInput): Step[] {
  const { functionName, revisionLabel, existing } = input;
  if (existing) {
    if (existing.revisionHash === input.revisionHash) return [];
    const which =
      existing.name === revisionLabel
        ? `version ${JSON.stringify(revisionLabel)} of ${functionName} already exists`
        : `version ${existing.name} of ${functionName} is labelled ${JSON.stringify(revisionLabel)}`;
    throw new ValidationError(
      [
        {
          path: 'revision',
          message: `${which} with other code or settings; ${input.platform} versions are immutable, so give this revision a new label`,
          rule: 'revision-immutable',
        },
      ],
      { subject: `function "${functionName}"`, adapter: input.adapter },
    );
  }
  return [
    {
      id: 'version',
      action: 'publish',
      resource: `version ${revisionLabel}`,
      summary: `publish version ${revisionLabel} of ${functionName}`,
      changes: [{ path: 'versions', to: revisionLabel }],
      phase: 'revision',
    },
  ];
}
