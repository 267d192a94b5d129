// projection.js: camera space -> clip space (affine3d/projection.py, Scene.projection): matrices as rows.

// camera space -> clip space, as rows (affine3d/projection.py: gluPerspective's matrix, depth -1..1).
export function perspective(fovy, aspect, near, far) {
  const f = 1 / Math.tan(fovy / 2);
  return [
    [f / aspect, 0, 0, 0],
    [0, f, 0, 0],
    [0, 0, (far + near) / (near - far), (2 * far * near) / (near - far)],
    [0, 0, -1, 0],
  ];
}

export function orthographic(left, right, bottom, top, near, far) {
  return [
    [2 / (right - left), 0, 0, -(right + left) / (right - left)],
    [0, 2 / (top - bottom), 0, -(top + bottom) / (top - bottom)],
    [0, 0, -2 / (far - near), -(far + near) / (far - near)],
    [0, 0, 0, 1],
  ];
}

// Scene.projection(aspect, ortho): the orthographic box frames at the world's origin what the perspective shows.
export function sceneProjection(camera, aspect, ortho) {
  if (!ortho) return perspective(camera.fov, aspect, camera.near, camera.far);
  const halfHeight = camera.distance * Math.tan(camera.fov / 2);
  const halfWidth = halfHeight * aspect;
  return orthographic(-halfWidth, halfWidth, -halfHeight, halfHeight, camera.near, camera.far);
}

// ------------------------------------------------------------------------------------------- framing
// A scene framed to the canvas it gets (geometry/fit.py's bounding sphere and fit_radius): the sphere that holds
// every object, centred in the picture, its outline filling `fill` of the canvas's smaller side, whichever way
// the world is turned.
export const FIT_FILL = 0.8;

// The bounding sphere of points (flat, 3 per point): the middle of their box, the farthest one's distance
// (geometry/fit.py's bounding_sphere).
export function boundingSphere(flat) {
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let v = 0; v < flat.length; v += 3) for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k], flat[v + k]); hi[k] = Math.max(hi[k], flat[v + k]); }
  const centre = lo.map((l, k) => (l + hi[k]) / 2);
  let r2 = 0;
  for (let v = 0; v < flat.length; v += 3) r2 = Math.max(r2, (flat[v] - centre[0]) ** 2 + (flat[v + 1] - centre[1]) ** 2 + (flat[v + 2] - centre[2]) ** 2);
  return { centre, radius: Math.max(Math.sqrt(r2), 1e-6) };
}

// The camera distance at which a sphere of `radius` fills `fill` of the smaller side of a picture of `aspect`
// (fit_radius solved for d): perspective r = d t / sqrt(1 + t^2) with t = fill tan(half the smaller field of
// view); orthographic (sceneProjection's box: half-height d tan(fov / 2)) r = d t.
export function fitDistance(radius, fov, aspect, ortho, fill = FIT_FILL) {
  const t = fill * Math.tan(fov / 2) * Math.min(1, aspect);
  return ortho ? radius / t : (radius * Math.sqrt(1 + t * t)) / t;
}

// The farthest a point of flat (3 per point, world space) lies from the world's origin: the radius of the sphere
// that holds them however the world turns about its origin (app/state.py's ViewerState.frame_radius).
export function originRadius(flat) {
  let r2 = 0;
  for (let v = 0; v < flat.length; v += 3) r2 = Math.max(r2, flat[v] ** 2 + flat[v + 1] ** 2 + flat[v + 2] ** 2);
  return Math.sqrt(r2);
}

// How much the projection P (rows, for a canvas of `aspect`) must be scaled so that a sphere of `radius` about the
// world's origin, `distance` in front of the camera, stays inside `fill` of the canvas's smaller side and fills at
// least `least` of it (the desktop's FRAME_FILL): below 1 where the canvas is too small for the scene, above 1 where
// the scene would be small in it, 1 in between (the scene's own framing, as `affine3d render` draws it); 1 when the
// camera is inside the sphere.
export function keepInside(P, radius, distance, aspect, ortho, fill = 0.98, least = 0.8) {
  let reach; // the sphere's outline, in NDC units of the picture's height
  if (ortho) reach = P[1][1] * radius;
  else if (radius < distance) reach = (P[1][1] * radius) / Math.sqrt(distance * distance - radius * radius);
  else return 1;
  const side = Math.min(1, aspect); // NDC 1 is half the height; half the width is `aspect` of that
  if (reach > fill * side) return (fill * side) / reach;
  if (reach > 0 && reach < least * side) return (least * side) / reach;
  return 1;
}

// P with x and y scaled by k in clip space: the same camera, the picture zoomed about its centre.
export function scaledProjection(P, k) {
  return P.map((row, r) => (r < 2 ? row.map((v) => k * v) : row.slice()));
}
