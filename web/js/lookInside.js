/**
 * "Look inside": the section's open state and the activation maps of the first two blocks, one
 * grey grid canvas per block.
 */
import { byTestId } from './dom.js';

const elements = {
  section: byTestId('activations'),
  grids: document.querySelector('.activation-grids'),
  note: document.querySelector('.activations-note'),
};
// Each map pixel becomes SCALE x SCALE canvas pixels (nearest neighbour), GAP pixels between maps.
const ACTIVATION_SCALE = { block1: 4, block2: 8 };
const ACTIVATION_GAP = 2;

/**
 * Call `onOpen` whenever the "Look inside" section is opened (the activation model loads lazily).
 * @param {() => void} onOpen
 */
export function onActivationsOpened(onOpen) {
  elements.section.addEventListener('toggle', () => {
    if (elements.section.open) onOpen();
  });
}

/** Whether "Look inside" is open (activations are only computed then). */
export function activationsOpen() {
  return elements.section.open;
}

/**
 * "Look inside" state: "idle" (nothing drawn), "loading", "ready" (maps drawn) or "error".
 * @param {'idle'|'loading'|'ready'|'error'} state
 * @param {string} [message]
 */
export function setActivationsState(state, message = '') {
  elements.section.dataset.state = state;
  elements.note.textContent = message;
  if (state === 'idle') elements.grids.replaceChildren();
}

/**
 * Draw each block's maps as one grey grid canvas: white = the map's own maximum, black = its minimum.
 * @param {Object<string, {shape: number[], maps: Float32Array}>} blocks  from classify.js blockActivations
 */
export function showActivations(blocks) {
  const figures = Object.entries(blocks).map(([name, { shape, maps }]) => {
    const [height, width, channels] = shape;
    const scale = ACTIVATION_SCALE[name] || 4;
    const columns = Math.ceil(Math.sqrt(channels));
    const rows = Math.ceil(channels / columns);
    const cellW = width * scale;
    const cellH = height * scale;
    const canvas = document.createElement('canvas');
    canvas.width = columns * cellW + (columns - 1) * ACTIVATION_GAP;
    canvas.height = rows * cellH + (rows - 1) * ACTIVATION_GAP;
    canvas.className = 'activation-grid';
    canvas.dataset.block = name;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${name}: ${channels} activation maps of ${height} by ${width}`);
    const context = canvas.getContext('2d');
    const pixels = context.createImageData(canvas.width, canvas.height);
    pixels.data.fill(128); // mid-grey gaps keep mostly black maps apart
    for (let channel = 0; channel < channels; channel++) {
      const left = (channel % columns) * (cellW + ACTIVATION_GAP);
      const top = Math.floor(channel / columns) * (cellH + ACTIVATION_GAP);
      for (let y = 0; y < cellH; y++) {
        for (let x = 0; x < cellW; x++) {
          const value = maps[channel * height * width + Math.floor(y / scale) * width + Math.floor(x / scale)];
          const grey = Math.round(value * 255);
          pixels.data.set([grey, grey, grey, 255], ((top + y) * canvas.width + left + x) * 4);
        }
      }
    }
    context.putImageData(pixels, 0, 0);
    const figure = document.createElement('figure');
    figure.className = 'activation-figure';
    const caption = document.createElement('figcaption');
    caption.textContent = `${name}: ${channels} maps, ${height}×${width} each (${columns} per row)`;
    figure.append(canvas, caption);
    return figure;
  });
  elements.grids.replaceChildren(...figures);
}
