/**
 * Register the service worker (web/sw.js, built to sw.js beside index.html) that keeps the
 * page, its bundle, the wasm binary and the model for offline visits. No DOM.
 */

/**
 * Register sw.js, which web/build.mjs puts beside the bundle and index.html, so its scope is
 * the page's folder. Browsers without service workers (or pages not on
 * https/localhost) just stay online-only.
 * @param {ServiceWorkerContainer} [container]
 * @returns {Promise<ServiceWorkerRegistration|null>}
 */
export async function registerServiceWorker(container = globalThis.navigator?.serviceWorker) {
  if (!container) return null;
  try {
    return await container.register(new URL('sw.js', import.meta.url));
  } catch (error) {
    // The page works without it; only offline visits are lost.
    console.warn('service worker not registered, the page will not work offline:', error);
    return null;
  }
}
