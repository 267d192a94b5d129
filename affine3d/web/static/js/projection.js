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
