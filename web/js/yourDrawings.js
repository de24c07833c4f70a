/**
 * "Your drawings": the kept drawings' count and thumbnails, delete one, delete all (asked first),
 * the download as one file, and whether an answer came from them (with the switch that turns that
 * off). The drawings themselves are kept by web/js/drawings.js.
 */
import { drawStrokes } from './canvas.js';
import { byTestId } from './dom.js';

const elements = {
  count: byTestId('drawings-count'),
  grid: byTestId('drawings-grid'),
  download: byTestId('download-drawings'),
  deleteAll: byTestId('delete-all-drawings'),
  confirm: byTestId('delete-all-confirm'),
  confirmQuestion: document.getElementById('delete-all-question'),
  confirmDelete: byTestId('confirm-delete-all'),
  cancelDelete: byTestId('cancel-delete-all'),
  adaptSwitch: byTestId('adapt-switch'),
  adapted: byTestId('adapted'),
  prediction: byTestId('prediction'),
};
// Thumbnails only: the stroke format keeps no pen width, so they use this share of the canvas side.
const THUMBNAIL_PEN_SHARE = 0.07;
const THUMBNAIL_PIXELS = 112; // drawn at twice its CSS size, sharp on high-density screens

const drawingsWord = (count) => (count === 1 ? '1 drawing' : `${count} drawings`);

let unreadableDrawings = 0; // stored records that failed web/js/strokes.js checkRecord: counted, never shown

/**
 * Count, thumbnails (newest first) and the buttons' states for the kept drawings, all at once
 * (on opening the page and after Delete all); keeping and deleting one change one thumbnail
 * (addDrawing, removeDrawing), so a long list is never drawn again.
 * @param {Array<{id: number, label: number, canvas: {width: number, height: number}, drawn_at: string, strokes: number[][][]}>} records
 *   checked records (web/js/strokes.js checkRecord), oldest first
 * @param {number} [unreadable]  how many stored records failed that check and are left out
 */
export function showDrawings(records, unreadable = 0) {
  unreadableDrawings = unreadable;
  elements.grid.replaceChildren(...[...records].reverse().map(drawingItem));
  showDrawingsCount();
}

/** One newly kept (checked) record, first in the grid. */
export function addDrawing(record) {
  elements.grid.prepend(drawingItem(record));
  showDrawingsCount();
}

/** Take the thumbnail of the record with `id` out of the grid. */
export function removeDrawing(id) {
  elements.grid.querySelector(`[data-id="${id}"]`)?.remove();
  showDrawingsCount();
}

/** How many drawings the grid shows, and how many stored ones could not be read. */
export function drawingsKept() {
  return { shown: elements.grid.children.length, unreadable: unreadableDrawings };
}

function showDrawingsCount() {
  const count = elements.grid.children.length;
  const unreadable = unreadableDrawings
    ? ` ${drawingsWord(unreadableDrawings)} could not be read (left out of the list and the download).`
    : '';
  elements.count.textContent =
    (count
      ? `${drawingsWord(count)} kept in this browser.`
      : 'None kept yet: draw a digit, say which digit you meant and keep it.') + unreadable;
  elements.download.disabled = count === 0;
  elements.deleteAll.disabled = count === 0 && unreadableDrawings === 0;
  if (elements.deleteAll.disabled) hideDeleteAllConfirm(false);
}

function drawingItem(record) {
  const item = document.createElement('li');
  item.className = 'drawing';
  item.dataset.testid = 'drawing';
  item.dataset.id = String(record.id);
  item.dataset.label = String(record.label);
  const when = new Date(record.drawn_at).toLocaleString();
  const thumbnail = document.createElement('canvas');
  thumbnail.className = 'drawing-thumbnail';
  thumbnail.width = thumbnail.height = THUMBNAIL_PIXELS;
  thumbnail.setAttribute('role', 'img');
  thumbnail.setAttribute('aria-label', `Your ${record.label}, drawn ${when}`);
  const context = thumbnail.getContext('2d');
  context.fillStyle = '#000';
  context.fillRect(0, 0, THUMBNAIL_PIXELS, THUMBNAIL_PIXELS);
  const side = Math.max(record.canvas.width, record.canvas.height);
  context.scale(THUMBNAIL_PIXELS / side, THUMBNAIL_PIXELS / side);
  drawStrokes(context, record.strokes, side * THUMBNAIL_PEN_SHARE);
  const label = document.createElement('span');
  label.className = 'drawing-label';
  label.textContent = String(record.label);
  label.setAttribute('aria-hidden', 'true'); // the thumbnail's name says it
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'drawing-delete';
  remove.dataset.testid = 'delete-drawing';
  remove.textContent = '×';
  remove.setAttribute('aria-label', `Delete this ${record.label}, drawn ${when}`);
  item.append(thumbnail, label, remove);
  return item;
}

/**
 * The × on a thumbnail: `onDelete(id)`, then focus goes to the next thumbnail's ×, or the count.
 * @param {(id: number) => Promise<void>} onDelete
 */
export function onDeleteDrawing(onDelete) {
  elements.grid.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-testid="delete-drawing"]');
    if (!button) return;
    const item = button.closest('li');
    const index = [...elements.grid.children].indexOf(item);
    await onDelete(Number(item.dataset.id));
    const next = elements.grid.children[Math.min(index, elements.grid.children.length - 1)];
    focusAfterDelete(next?.querySelector('button'));
  });
}

function focusAfterDelete(target) {
  if (target) return target.focus();
  elements.count.tabIndex = -1;
  elements.count.focus();
}

function showDeleteAllConfirm() {
  const count = elements.grid.children.length + unreadableDrawings;
  elements.confirmQuestion.textContent = `Delete all ${drawingsWord(count)} from this browser? This cannot be undone.`;
  elements.confirmDelete.textContent = `Delete all ${count}`;
  elements.confirm.hidden = false;
  elements.deleteAll.setAttribute('aria-expanded', 'true');
  elements.cancelDelete.focus(); // the safe answer is the one a stray Enter picks
}

function hideDeleteAllConfirm(refocus = true) {
  elements.confirm.hidden = true;
  elements.deleteAll.setAttribute('aria-expanded', 'false');
  if (refocus && !elements.deleteAll.disabled) elements.deleteAll.focus();
}

/**
 * "Delete all…" asks first (Delete all N / Cancel, Escape cancels); only the answer runs `onDeleteAll`.
 * @param {() => Promise<void>} onDeleteAll
 */
export function onDeleteAllDrawings(onDeleteAll) {
  elements.deleteAll.addEventListener('click', showDeleteAllConfirm);
  elements.cancelDelete.addEventListener('click', () => hideDeleteAllConfirm());
  elements.confirm.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.stopPropagation(); // Escape here cancels the question; it does not clear the canvas
    hideDeleteAllConfirm();
  });
  elements.confirmDelete.addEventListener('click', async () => {
    await onDeleteAll();
    hideDeleteAllConfirm(false);
    focusAfterDelete(null);
  });
}

/** @param {() => void} onDownload */
export function onDownloadDrawings(onDownload) {
  elements.download.addEventListener('click', onDownload);
}

/** The drawings section when the browser keeps nothing (no IndexedDB, site data blocked). */
export function setDrawingsUnavailable(message) {
  elements.count.textContent = message;
  elements.download.disabled = elements.deleteAll.disabled = true;
}

/** A failed delete or download, in one line where the count is. */
export function showDrawingsProblem(message) {
  elements.count.textContent = message;
}

/**
 * Save `text` as a file called `name` through the browser's own download: a blob URL made
 * here, nothing fetched or sent.
 * @param {string} name
 * @param {string} text
 * @param {string} [type]
 */
export function saveFile(name, text, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // some browsers read the blob after click returns
}

/**
 * Whether the answer shown came from the kept drawings (web/js/adapt.js changed its top digit):
 * the line "From your drawings" and `data-adapted` on the prediction.
 */
export function showAdapted(adapted) {
  elements.adapted.hidden = !adapted;
  elements.prediction.dataset.adapted = String(adapted);
}

/** The switch between reading with the kept drawings (on) and the plain model (off): now and on change. */
export function onAdaptSwitch(onSwitch) {
  const report = () => onSwitch(elements.adaptSwitch.checked);
  elements.adaptSwitch.addEventListener('change', report);
  report();
}
