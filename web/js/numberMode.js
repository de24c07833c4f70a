/**
 * Number mode's parts of the page: the two mode buttons (and the address, so a reload keeps the
 * mode), the number read with one button per digit group (press one to correct it), and a faint
 * box over the canvas around each group, no part of the ink the models read. The reading itself
 * is web/js/numberRead.js.
 */
import { byTestId } from './dom.js';
import { numberText } from './number.js';

const elements = {
  modes: { digit: byTestId('mode-digit'), number: byTestId('mode-number') },
  number: byTestId('number'),
  digits: document.querySelector('.number-digits'),
  boxes: document.querySelector('.group-boxes'),
  canvas: byTestId('draw-canvas'),
  hint: document.querySelector('.canvas-hint'),
};
// The canvas's hint and name in each mode; digit mode's are the markup's own.
const CANVAS_TEXTS = {
  digit: [elements.hint.textContent, elements.canvas.ariaLabel],
  number: ['Write a number here', 'Drawing area: write a number, its digits side by side'],
};

/** The mode the address asks for: "number" with ?mode=number, else "digit". */
export const addressMode = () => (new URL(location.href).searchParams.get('mode') === 'number' ? 'number' : 'digit');

/**
 * Show `mode` ("digit" or "number"): the layout (style.css reads data-mode), the buttons' state,
 * the canvas's hint and name, and ?mode=number in the address (replaced, not a new history entry).
 */
export function showMode(mode) {
  document.documentElement.dataset.mode = mode;
  for (const [name, button] of Object.entries(elements.modes)) button.ariaPressed = name === mode;
  [elements.hint.textContent, elements.canvas.ariaLabel] = CANVAS_TEXTS[mode];
  const address = new URL(location.href);
  address.searchParams.delete('mode');
  if (mode === 'number') address.searchParams.set('mode', mode);
  history.replaceState(history.state, '', address);
}

/** @param {(mode: string) => void} onChoose  called with "digit" or "number" when its button is pressed */
export function onModeChosen(onChoose) {
  for (const [name, button] of Object.entries(elements.modes)) button.addEventListener('click', () => onChoose(name));
}

/**
 * The number read: its text, one button per group (its digit, or "?" for not a digit, and how
 * sure) and the groups' boxes.
 * @param {import('./numberRead.js').GroupAnswer[]} groups  left to right
 * @param {number} picked  the group picked to correct, -1 for none
 * @param {number[]} size  [width, height] of the canvas, in canvas pixels
 * @param {number} pad     canvas pixels around each group's points: its box holds the ink
 */
export function showNumber(groups, picked, [width, height], pad) {
  const texts = groups.map(({ notADigit, top }) => numberText([notADigit ? null : top]));
  elements.number.textContent = texts.join('');
  elements.number.ariaLabel = `Number read: ${texts.join('') || 'none yet'}`;
  elements.digits.replaceChildren(
    ...groups.map(({ confidence, changed }, index) => {
      const item = document.createElement('li');
      const button = item.appendChild(document.createElement('button'));
      const sure = `${Math.round(confidence * 100)}%`;
      button.type = 'button';
      button.className = 'action-button';
      Object.assign(button.dataset, {
        testid: 'number-digit',
        digit: texts[index],
        confidence: confidence.toFixed(4),
        changed,
      });
      button.ariaLabel = `Digit ${index + 1}: ${texts[index] === '?' ? 'not a digit' : texts[index]}, ${sure} sure`;
      button.append(texts[index], document.createElement('small'));
      button.lastChild.textContent = sure;
      return item;
    }),
  );
  elements.boxes.replaceChildren(
    ...groups.map(({ box: [x0, y0, x1, y1] }) => {
      const box = document.createElement('div');
      const share = (value, of) => `${(value / of) * 100}%`;
      box.style.inset = [y0 - pad, width - x1 - pad, height - y1 - pad, x0 - pad]
        .map((value, index) => share(value, index % 2 ? width : height))
        .join(' ');
      return box;
    }),
  );
  showPicked(picked);
}

/** Mark the group picked to correct (-1: none) on its button and its box. */
export function showPicked(picked) {
  [...elements.digits.children].forEach((item, index) => (item.firstChild.ariaPressed = index === picked));
  [...elements.boxes.children].forEach((box, index) => (box.dataset.picked = index === picked));
}

/** @param {(index: number) => void} onPick  called with a group's index when its button is pressed */
export function onGroupPicked(onPick) {
  elements.digits.addEventListener('click', (event) => {
    const item = event.target.closest('li');
    if (item) onPick([...elements.digits.children].indexOf(item));
  });
}
