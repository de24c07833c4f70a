/**
 * What the page says about itself: the status line at the top (loading, ready or why not) and
 * the model facts in the footer.
 */
import { byTestId } from './dom.js';

const elements = {
  status: byTestId('status'),
  statusText: document.querySelector('.status-text'),
  modelInfo: byTestId('model-info'),
};

/**
 * Status line: "loading" | "ready" | "error". Text may contain `code` spans written as
 * backticks, which are rendered as <code> (built with DOM nodes, never innerHTML).
 * @param {'loading'|'ready'|'error'} state
 * @param {string} message
 */
export function setStatus(state, message) {
  elements.status.dataset.state = state;
  elements.status.setAttribute('role', state === 'error' ? 'alert' : 'status');
  const parts = message.split('`');
  elements.statusText.replaceChildren(
    ...parts.map((part, index) => {
      if (index % 2 === 0) return document.createTextNode(part);
      const code = document.createElement('code');
      code.textContent = part;
      return code;
    }),
  );
}

/**
 * Footer facts from metadata (accuracy, size) and the running backend.
 * @param {object} facts
 * @param {number|null} facts.testAccuracy  0..1
 * @param {string} facts.variant
 * @param {number|null} facts.bytes
 * @param {string} facts.backend
 * @param {string} facts.tfVersion
 */
export function showModelInfo({ testAccuracy, variant, bytes, backend, tfVersion }) {
  const parts = [];
  if (typeof testAccuracy === 'number') {
    parts.push(`Accuracy on the MNIST test set: ${(testAccuracy * 100).toFixed(2)}%.`);
  }
  const size = typeof bytes === 'number' ? `, ${(bytes / 1024).toFixed(0)} KB of weights` : '';
  parts.push(`Weights: ${variant}${size}. TensorFlow.js ${tfVersion}, ${backend} backend.`);
  elements.modelInfo.textContent = parts.join(' ');
}
