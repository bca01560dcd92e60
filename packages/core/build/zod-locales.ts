// Stands in for zod's locale index in core's build: faasport's messages are English, and the other 63
// locales are a third of zod's code that every command would otherwise compile at start-up.
// `z.locales.en` stays; `z.config(z.locales.xx())` for another language is not available.
export { default as en } from 'zod/v4/locales/en.js';
