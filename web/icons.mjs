/**
 * The installable page's icons, drawn at build time (web/build.mjs) so no binary is committed:
 * a white pen-stroke "7" on the page's accent blue, as an RGBA PNG of any square size.
 *
 * The stroke stays inside the middle 60% of the square, the safe zone of a maskable icon
 * (manifest.webmanifest says "any maskable"), so a round or squircle mask never cuts it.
 */
import { deflateSync } from 'node:zlib';

const BACKGROUND = [0x1d, 0x4e, 0xd8]; // style.css --accent
const INK = [0xff, 0xff, 0xff];
// The "7" as a polyline in unit-square coordinates, and its pen width (same units).
const STROKE = [
  [0.3, 0.3],
  [0.7, 0.3],
  [0.45, 0.72],
];
const PEN_WIDTH = 0.085;

/** Distance from (x, y) to the segment a-b. */
function segmentDistance(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const along = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + along * dx), y - (ay + along * dy));
}

/** CRC-32 (the PNG chunk checksum, polynomial 0xEDB88320). */
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * The icon as PNG bytes.
 * @param {number} size  width and height in pixels
 * @returns {Buffer}
 */
export function iconPng(size) {
  const rows = Buffer.alloc(size * (1 + size * 4));
  for (let row = 0; row < size; row++) {
    const offset = row * (1 + size * 4); // each row starts with filter type 0 (none)
    for (let column = 0; column < size; column++) {
      const x = (column + 0.5) / size;
      const y = (row + 0.5) / size;
      let distance = Infinity;
      for (let index = 1; index < STROKE.length; index++) {
        distance = Math.min(distance, segmentDistance(x, y, STROKE[index - 1], STROKE[index]));
      }
      // Antialiased edge: one pixel wide ramp around the pen's radius.
      const ink = Math.max(0, Math.min(1, (PEN_WIDTH / 2 - distance) * size + 0.5));
      const pixel = offset + 1 + column * 4;
      for (let channel = 0; channel < 3; channel++) {
        rows[pixel + channel] = Math.round(BACKGROUND[channel] * (1 - ink) + INK[channel] * ink);
      }
      rows[pixel + 3] = 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
