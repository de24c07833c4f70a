/**
 * People's labelled drawings, kept in this browser's IndexedDB and nowhere else: the page never
 * sends them anywhere, and they survive reloads (and offline visits) until deleted here or with
 * the site's data. Each entry is a stroke-file record (web/js/strokes.js) plus the `id` the
 * store gives it. No DOM: `indexedDB` is passed in.
 */

const DATABASE_NAME = 'mnist-draw';
const DATABASE_VERSION = 1;
const STORE = 'drawings';

/** IndexedDB is missing or refused (some private modes, blocked site data); one line. */
export class DrawingsUnavailableError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DrawingsUnavailableError';
  }
}

/** An IDBRequest -> a Promise of its result. */
function settled(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * @typedef {object} DrawingStore
 * @property {(record: object) => Promise<number>} add     keep one record -> its id
 * @property {() => Promise<object[]>} list                every record with its `id`, oldest first
 * @property {(id: number) => Promise<void>} remove        delete one (no error if it is gone)
 * @property {() => Promise<void>} clear                   delete all
 * @property {() => Promise<number>} count
 */

/**
 * Open (creating on first use) the page's drawing store.
 * @param {IDBFactory} [factory]
 * @returns {Promise<DrawingStore>}
 */
export async function openDrawings(factory = globalThis.indexedDB) {
  if (!factory) throw new DrawingsUnavailableError('this browser has no IndexedDB');
  const request = factory.open(DATABASE_NAME, DATABASE_VERSION);
  request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
  let database;
  try {
    database = await settled(request);
  } catch (error) {
    throw new DrawingsUnavailableError(`IndexedDB refused to open (${error?.message ?? error})`);
  }
  // Resolves with the request's result once its transaction has committed, so a reload right
  // after never misses a write.
  async function run(mode, action) {
    const transaction = database.transaction(STORE, mode);
    const result = settled(action(transaction.objectStore(STORE)));
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  }
  return {
    add: (record) => run('readwrite', (store) => store.add(record)),
    list: () => run('readonly', (store) => store.getAll()),
    async remove(id) {
      await run('readwrite', (store) => store.delete(id));
    },
    async clear() {
      await run('readwrite', (store) => store.clear());
    },
    count: () => run('readonly', (store) => store.count()),
  };
}
