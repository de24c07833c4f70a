/**
 * Teach it: "Which digit did you mean?", ten digit choices and Keep (or a digit key).
 */
import { byTestId, isTyping } from './dom.js';

const elements = {
  form: byTestId('teach'),
  choices: document.querySelector('.teach-choices'),
  digits: byTestId('meant'),
  keep: byTestId('keep'),
  note: byTestId('teach-note'),
};
let digitInputs = [];
let digitLabels = [];
let chosenByPerson = false; // a digit picked by hand is never overridden by the next guess

/**
 * Ten radio buttons, one per label ("Which digit did you mean?"), built once. Arrow keys move
 * within the group, Tab leaves it; each looks like a button and is big enough for a finger.
 * @param {string[]} labels  metadata.output.labels; a label's index is the digit it stands for
 */
export function buildDigitChoices(labels) {
  digitInputs = labels.map((label, index) => {
    const choice = document.createElement('label');
    choice.className = 'digit-choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'meant';
    input.value = String(index);
    input.dataset.testid = `meant-${label}`;
    input.addEventListener('change', () => {
      chosenByPerson = true;
      showKeepLabel();
    });
    const text = document.createElement('span');
    text.textContent = label;
    choice.append(input, text);
    elements.digits.append(choice);
    return input;
  });
  digitLabels = labels;
  elements.form.hidden = false;
}

function checkedDigit() {
  const index = digitInputs.findIndex((input) => input.checked);
  return index < 0 ? null : index;
}

function showKeepLabel() {
  const digit = checkedDigit();
  elements.keep.textContent = digit === null ? 'Keep this drawing' : `Keep this drawing as a ${digitLabels[digit]}`;
}

/**
 * Ask which digit was meant, starting at the model's guess (unless the person already picked one
 * for this drawing), so confirming a right guess is one press of Keep.
 * @param {number} guess  index of the predicted label
 */
export function offerTeach(guess) {
  elements.choices.disabled = false;
  elements.keep.disabled = false;
  elements.note.textContent = '';
  if (!chosenByPerson) digitInputs[guess].checked = true;
  showKeepLabel();
}

/** Nothing to teach (a blank canvas): no choice, Keep disabled. The last note stays. */
export function withdrawTeach() {
  chosenByPerson = false;
  for (const input of digitInputs) input.checked = false;
  elements.choices.disabled = true;
  elements.keep.disabled = true;
  showKeepLabel();
}

/**
 * The line under Keep: what happened to the last drawing kept ("Kept as a 3."), or why not.
 * @param {string} message
 * @param {'ok'|'error'} [state]
 */
export function showTeachNote(message, state = 'ok') {
  elements.note.textContent = message;
  elements.note.dataset.state = state;
}

/**
 * Keep the drawing as the chosen digit: the Keep button (or Enter in the group), or a digit key
 * 0-9 pressed anywhere outside a text field, which picks that digit and keeps it at once.
 * @param {(digit: number) => void} onKeep  digit 0..9
 */
export function onKeepRequested(onKeep) {
  elements.form.addEventListener('submit', (event) => {
    event.preventDefault(); // nothing is ever submitted anywhere
    const digit = checkedDigit();
    if (!elements.keep.disabled && digit !== null) onKeep(digit);
  });
  document.addEventListener('keydown', (event) => {
    if (!/^[0-9]$/.test(event.key) || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (isTyping(event.target) || elements.keep.disabled) return;
    const digit = digitLabels.indexOf(event.key);
    if (digit < 0) return;
    event.preventDefault();
    digitInputs[digit].checked = true;
    onKeep(digit);
  });
}
