/**
 * Strokes -> the pen path the stroke model reads: N equidistant points with position, direction
 * and pen state.
 *
 * Twin: mnist_draw/pen_path.py implements the same numbered steps with the same names
 * (`path_features` <-> `penPathFeatures`). Both are checked against the shared golden vectors in
 * tests/golden/pen_path.json (regenerate with `python -m tests.make_golden`), so a change here
 * must be made there too.
 *
 * The steps:
 *   1. join the strokes in drawing order into one polyline; the pen-up jump from a stroke's last
 *      point to the next stroke's first is a segment too, marked as "air" (pen up)
 *   2. arc length: cumulative segment lengths, sqrt(dx * dx + dy * dy), air counted like ink
 *   3. resample: nPoints targets at total * i / (nPoints - 1); each lies on the last segment
 *      whose start is at or before it, linearly interpolated; its pen flag is that segment's
 *   4. normalise: the bounding box of the input points is centred at 0 and its longer side
 *      scaled to [-1, 1], aspect kept
 *   5. direction: the unit vector from point i - 1 to point i + 1 (ends: one-sided), (0, 0)
 *      where those points coincide within direction_epsilon
 *   6. float32, nPoints rows of [x, y, cos, sin, pen], row-major
 *
 * Pure: no DOM, no TF.js. The numbers come in as `params` (the golden file's "params", later the
 * stroke model's metadata), and the arithmetic is float64 in the same order as NumPy, so both
 * sides agree to float32 precision.
 */

/**
 * @typedef {object} PenPathParams  mnist_draw/pen_path.py `path_parameters()`
 * @property {number} n_points           resampled points per digit
 * @property {string[]} features         ["x", "y", "cos", "sin", "pen"]
 * @property {number} direction_epsilon  neighbours closer than this give no direction
 */

/**
 * Step 1. Strokes -> the joined polyline and whether each segment was drawn.
 * @param {number[][][]} strokes  each stroke a list of [x, y] points (x right, y down)
 * @returns {{xs: number[], ys: number[], segmentInk: boolean[]}}  segmentInk[k]: point k -> k + 1
 */
export function joinStrokes(strokes) {
  const xs = [];
  const ys = [];
  const segmentInk = [];
  for (const stroke of strokes) {
    if (stroke.length === 0) continue;
    // The jump from the previous stroke's end to this stroke's start is air.
    if (xs.length) segmentInk.push(false);
    stroke.forEach(([x, y], index) => {
      if (index) segmentInk.push(true);
      xs.push(x);
      ys.push(y);
    });
  }
  if (!xs.length) throw new Error('a pen path needs at least one point');
  return { xs, ys, segmentInk };
}

/**
 * Steps 2-3. The polyline -> nPoints equidistant points and their pen flags (1 ink, 0 air).
 * Zero total length -> nPoints copies of the first point, pen 1.
 */
export function resample({ xs, ys, segmentInk }, nPoints) {
  const outX = new Float64Array(nPoints).fill(xs[0]);
  const outY = new Float64Array(nPoints).fill(ys[0]);
  const pen = new Float64Array(nPoints).fill(1);
  const segments = xs.length - 1;
  const lengths = new Float64Array(segments);
  const cumulative = new Float64Array(segments + 1);
  for (let k = 0; k < segments; k++) {
    const dx = xs[k + 1] - xs[k];
    const dy = ys[k + 1] - ys[k];
    lengths[k] = Math.sqrt(dx * dx + dy * dy);
    cumulative[k + 1] = cumulative[k] + lengths[k];
  }
  const total = cumulative[segments];
  if (segments === 0 || total === 0) return { xs: outX, ys: outY, pen };
  let segment = 0;
  for (let i = 0; i < nPoints; i++) {
    const target = (total * i) / (nPoints - 1);
    // The last segment whose start is at or before the target (NumPy searchsorted 'right' - 1).
    while (segment + 1 < segments && cumulative[segment + 1] <= target) segment++;
    const along = target - cumulative[segment];
    const fraction = lengths[segment] > 0 ? Math.min(along / lengths[segment], 1) : 0;
    outX[i] = xs[segment] + fraction * (xs[segment + 1] - xs[segment]);
    outY[i] = ys[segment] + fraction * (ys[segment + 1] - ys[segment]);
    pen[i] = segmentInk[segment] ? 1 : 0;
  }
  return { xs: outX, ys: outY, pen };
}

/** Step 4. Resampled points -> centred on the input's box, longer side spanning [-1, 1]. */
export function normalise(resampled, { xs, ys }) {
  const [left, right] = [Math.min(...xs), Math.max(...xs)];
  const [top, bottom] = [Math.min(...ys), Math.max(...ys)];
  const centreX = (left + right) / 2;
  const centreY = (top + bottom) / 2;
  const halfExtent = Math.max(right - left, bottom - top) / 2;
  const scale = (value, centre) => (halfExtent === 0 ? 0 : (value - centre) / halfExtent);
  return {
    xs: resampled.xs.map((x) => scale(x, centreX)),
    ys: resampled.ys.map((y) => scale(y, centreY)),
  };
}

/** Step 5. Path points -> unit tangents [cos, sin] per point, [0, 0] where undefined. */
export function directions({ xs, ys }, epsilon) {
  const count = xs.length;
  const cos = new Float64Array(count);
  const sin = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const previous = Math.max(i - 1, 0);
    const following = Math.min(i + 1, count - 1);
    const dx = xs[following] - xs[previous];
    const dy = ys[following] - ys[previous];
    const norm = Math.sqrt(dx * dx + dy * dy);
    if (norm > epsilon) [cos[i], sin[i]] = [dx / norm, dy / norm];
  }
  return { cos, sin };
}

/**
 * A digit's strokes -> Float32Array of nPoints * 5: per point x, y in [-1, 1] (y down), cos,
 * sin in [-1, 1], pen in {0, 1}.
 * @param {number[][][]} strokes  each stroke a list of [x, y] points, at least one point in all
 * @param {PenPathParams} params
 */
export function penPathFeatures(strokes, params) {
  const nPoints = params.n_points;
  if (!(nPoints >= 2)) throw new Error(`a pen path needs at least 2 points, got n_points=${nPoints}`);
  const path = joinStrokes(strokes);
  const resampled = resample(path, nPoints);
  const normalised = normalise(resampled, path);
  const { cos, sin } = directions(normalised, params.direction_epsilon);
  const width = params.features.length;
  const features = new Float32Array(nPoints * width);
  for (let i = 0; i < nPoints; i++) {
    features.set([normalised.xs[i], normalised.ys[i], cos[i], sin[i], resampled.pen[i]], i * width);
  }
  return features;
}
