import { configArgs, functionArgs, jsonArgs, projectDirArgs, targetArgs } from '../args';
import { command } from '../command';
import { UsageError } from '../errors';
import { buildsImages, buildTargetImages } from '../images';
import { openProject } from '../workspace';
import { commandMeta } from './catalog';

/** `faasport build`: Build each function's container image without Docker and push it to the target's registry. @public */
export default command({
  meta: commandMeta('build'),
  args: {
    ...projectDirArgs,
    ...targetArgs,
    ...configArgs,
    ...functionArgs,
    ...jsonArgs,
  },
  examples: [
    ['faasport build --target knative', 'build and push every function, print each image by digest'],
    ['faasport build --function hello --json', 'one function, as JSON for scripts'],
  ],
  epilogue:
    'The target needs `registry` (e.g. registry: { url: ghcr.io/acme }). Layers are reproducible: unchanged code gives\nthe same digest and pushes nothing. Credentials come from ~/.docker/config.json and its credential helpers.',
  async run(args, ctx) {
    const { target, functions } = await openProject(ctx, args);
    if (!(await buildsImages(target)))
      throw new UsageError(
        `\`faasport build\` needs a target with \`registry\`; target "${target.name}" (${target.adapter}) has none (or its adapter builds no images).`,
        {
          command: 'build',
          hint: 'Add `registry: { url: <host>/<path> }` to the target in faasport.yaml (adapters knative, fc, fc3, functiongraph, lambda).',
        },
      );
    const images = await buildTargetImages(target, functions, ctx.io.env);
    ctx.result({ target: target.name, images }, (r) => {
      for (const image of r.images)
        ctx.print(
          `${ctx.out.bold(image.functionName)}  ${image.reference}  ${image.pushed ? `pushed (${image.blobsPushed} blobs)` : ctx.out.dim('unchanged')}`,
        );
    });
  },
});
