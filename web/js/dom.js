/**
 * What every module that writes the page needs: an element by its data-testid (the page's
 * selectors, its contract with tests and outside tools: README "The page"), and whether a key
 * press is someone typing, so the page's own keys never take a typed character.
 */

/** The element with data-testid `id` (null when the page has none). */
export const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

// Inputs that take no typed text, so the page's own keys (digits, Delete) still work in them.
const KEYLESS_INPUTS = new Set(['radio', 'checkbox', 'range', 'button', 'submit', 'reset', 'color', 'file']);

/** Whether a key press aimed at `target` is someone typing text. */
export function isTyping(target) {
  if (target instanceof HTMLInputElement) return !KEYLESS_INPUTS.has(target.type);
  return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || !!target?.isContentEditable;
}
