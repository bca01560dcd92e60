// Imported once by a pre-started worker so the module loader's file path, and the loader's own
// steps after it (finding the file, the export, its parameters), are warm before a cold start.
export default true;

/** A handler to run one call through the serve path before the worker reports ready. */
export const warmHandler = (request, ctx) => new URL(request.url).searchParams.get('n') ?? ctx.requestId;
