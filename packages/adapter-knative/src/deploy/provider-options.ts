import { z } from '@faasport/core';

/**
 * `providers.knative` of a function: Knative-only settings, validated strictly.
 *
 * @public
 */
export const knativeProviderSchema = z.strictObject({
  /** `fc` renders Alibaba's Knative-on-Function-Compute form (`workload.serving.knative.aliyun.com/class: fc`). */
  workloadClass: z
    .enum(['fc'], { error: (i) => `${JSON.stringify(i.input)} is not a workload class (only "fc")` })
    .optional(),
  /** For `workloadClass: fc` with an image: the RAM role ARN that may pull it (`acs:ram::<uid>:role/<name>`). */
  role: z
    .string()
    .regex(/^acs:ram::\d+:role\/.+$/, {
      error: (i) => `${JSON.stringify(i.input)} is not a RAM role ARN (acs:ram::<account id>:role/<name>)`,
    })
    .optional(),
  serviceAccountName: z.string().min(1).optional(),
  /** Secrets used to pull the image. */
  imagePullSecrets: z.array(z.string().min(1)).optional(),
  /** Extra annotations on the revision template (e.g. `autoscaling.knative.dev/metric: rps`). */
  annotations: z.record(z.string(), z.string()).optional(),
  /** Extra labels on the Service. */
  labels: z.record(z.string(), z.string()).optional(),
  /** Take over a Service of the same name that faasport did not create (otherwise the deploy stops). */
  adopt: z.boolean().optional(),
  /** Autoscaling target per instance (`autoscaling.knative.dev/target`), if not `scaling.concurrency`. */
  target: z.number().min(0.01).optional(),
});

/** `providers.knative` as written. @public */
export type KnativeProviderOptions = z.input<typeof knativeProviderSchema>;
