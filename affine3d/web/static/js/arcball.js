// arcball.js: the mouse turns the world (affine3d/app/arcball.py): an arcball and a turntable.

import { Affine, matmul3 } from "./affine.js";

// As affine3d/app/arcball.py: window coordinates with the origin at the bottom-left, y up.
export const PITCH_LIMIT = (89 * Math.PI) / 180;

// The rotation turning direction p0 toward p1 about p0 x p1 (by the angle between them).
export function arcRotation(p0, p1) {
  const n0 = Math.hypot(...p0), n1 = Math.hypot(...p1);
  const a = p0.map((v) => v / n0), b = p1.map((v) => v / n1);
  const axis = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const sin = Math.hypot(...axis);
  if (sin < 1e-12) return Affine.identity();
  return Affine.rotation(axis, Math.atan2(sin, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]));
}

export class Arcball {
  constructor(size, rotation = Affine.identity()) {
    this.name = "arcball";
    this.resize(size);
    this.rotation = rotation;
    this.pressPoint = null;
    this.pressRotation = rotation;
  }

  resize([width, height]) {
    this.width = width;
    this.height = height;
  }

  get radius() {
    return Math.min(this.width, this.height) / 2;
  }

  // Window pixel -> the point of the unit sphere under it; outside its silhouette, the nearest rim point.
  spherePoint(x, y) {
    const px = (x - this.width / 2) / this.radius, py = (y - this.height / 2) / this.radius;
    const d2 = px * px + py * py;
    if (d2 <= 1) return [px, py, Math.sqrt(1 - d2)];
    const d = Math.sqrt(d2);
    return [px / d, py / d, 0];
  }

  press(x, y) {
    this.pressPoint = this.spherePoint(x, y);
    this.pressRotation = this.rotation;
  }

  // R = rotation(p_press -> p) @ R_press, re-orthonormalised: the grabbed point stays under the cursor.
  drag(x, y) {
    if (this.pressPoint === null) this.press(x, y);
    this.rotation = arcRotation(this.pressPoint, this.spherePoint(x, y)).matmul(this.pressRotation).orthonormalized();
    return this.rotation;
  }

  release() {
    this.pressPoint = null;
  }

  spin(angle) {
    this.rotation = Affine.rotationY(angle).matmul(this.rotation).orthonormalized();
    if (this.pressPoint !== null) this.pressRotation = Affine.rotationY(angle).matmul(this.pressRotation).orthonormalized();
    return this.rotation;
  }

  reset(rotation = Affine.identity()) {
    this.rotation = rotation;
    this.pressPoint = null;
  }
}

export class Turntable {
  constructor(size, rotation = Affine.identity()) {
    this.name = "turntable";
    this.resize(size);
    this.last = null;
    this.reset(rotation);
  }

  resize([width, height]) {
    this.width = width;
    this.height = height;
  }

  get radius() {
    return Math.min(this.width, this.height) / 2;
  }

  // rotation_x(pitch) @ rotation_y(yaw): yaw about the world's up axis, pitch about the camera's x; never roll.
  get rotation() {
    return Affine.rotationX(this.pitch).matmul(Affine.rotationY(this.yaw));
  }

  press(x, y) {
    this.last = [x, y];
  }

  drag(x, y) {
    if (this.last === null) this.press(x, y);
    const [x0, y0] = this.last;
    this.yaw = remainder(this.yaw + (x - x0) / this.radius, 2 * Math.PI);
    this.pitch = Math.min(PITCH_LIMIT, Math.max(-PITCH_LIMIT, this.pitch - (y - y0) / this.radius));
    this.last = [x, y];
    return this.rotation;
  }

  release() {
    this.last = null;
  }

  spin(angle) {
    this.yaw = remainder(this.yaw + angle, 2 * Math.PI);
    return this.rotation;
  }

  // Yaw and pitch of a rotation, its roll dropped.
  reset(rotation = Affine.identity()) {
    const R = rotation.A;
    this.pitch = Math.min(PITCH_LIMIT, Math.max(-PITCH_LIMIT, Math.atan2(R[2][1], R[1][1])));
    const M = matmul3(Affine.rotationX(-this.pitch).A, R);
    this.yaw = Math.atan2(M[0][2], M[0][0]);
    this.last = null;
  }
}

// IEEE remainder (Python's math.remainder): x - n y with n the integer nearest x / y, ties to even.
export function remainder(x, y) {
  const q = x / y;
  let n = Math.round(q);
  if (Math.abs(q - Math.trunc(q)) === 0.5) n = 2 * Math.round(q / 2);
  return x - n * y;
}
