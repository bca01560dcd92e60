// Imported once by a pre-started worker so the module loader's file path is warm before a cold start.
export default true;
