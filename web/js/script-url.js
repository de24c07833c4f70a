/**
 * The URL of the bundled app.js, for the code that asks for `import.meta.url`.
 *
 * web/build.mjs bundles the page as a classic script, not an ES module, because Chromium keeps
 * V8's compiled code for a classic script served by the service worker, and re-parses a module
 * script on every visit. A classic script has no import.meta, so the build injects this module
 * and replaces `import.meta.url` with `scriptUrl`. `document.currentScript` is only set while the
 * script first runs, which is when the bundle evaluates this, before anything else in it.
 */
export const scriptUrl = document.currentScript.src;
