// hash.js: a view in the URL's hash, written and read the same way by the page (app.js) and the lecture deck
// (deck.js), so that a link reproduces what was on screen:
//   rot=w,x,y,z (the world's rotation as a unit quaternion) & proj=perspective|orthographic, then zoom, pan and
//   edges where they differ from the start; with a network, stage=K & t=T (& play=1).
// Each host adds its own parts around these (the page: scene, control, path; the deck: slide, pick).

import { Affine } from "./affine.js";
import { _, fill } from "./i18n.js";

export function parseHash(hash) {
  const view = {};
  for (const part of hash.replace(/^#/, "").split("&")) {
    const [name, value = ""] = part.split("=");
    if (name) view[decodeURIComponent(name)] = decodeURIComponent(value);
  }
  return view;
}

// `n` numbers from one part of the hash, or an error naming the part (a hand-edited link says what is wrong).
export function hashNumbers(text, n, what) {
  const values = text.split(",").map(Number);
  if (values.length !== n || !values.every(Number.isFinite)) throw new Error(fill(_("URL: {what}: expected {n} numbers, got '{text}'"), { what, n, text }));
  return values;
}

// The parts for a host's view: `holder` has ortho, zoom, pan and wireframe; `rotation` is the world's rotation (Affine).
export function viewHashParts(holder, rotation) {
  const q = rotation.toQuaternion("wxyz");
  const parts = [`rot=${q.map((v) => +v.toFixed(9)).join(",")}`, `proj=${holder.ortho ? "orthographic" : "perspective"}`];
  if (holder.zoom) parts.push(`zoom=${+holder.zoom.toFixed(6)}`);
  if (holder.pan[0] || holder.pan[1]) parts.push(`pan=${holder.pan.map((v) => +v.toFixed(6)).join(",")}`);
  if (holder.wireframe) parts.push("edges=1");
  return parts;
}

// The parts for a network's moment (none without a network).
export function momentHashParts(net) {
  if (!net) return [];
  const parts = [`stage=${net.player.stageIndex + 1}`, `t=${+net.player.t.toFixed(4)}`];
  if (net.player.playing) parts.push("play=1");
  return parts;
}

// A parsed hash's view onto `holder` (controller, spinning, ortho, zoom, pan, wireframe): a link with rot stops the spin.
export function applyViewHash(holder, view) {
  if (view.rot !== undefined) {
    holder.controller.reset(Affine.fromQuaternion(hashNumbers(view.rot, 4, "rot"), "wxyz"));
    holder.spinning = false;
  }
  if (view.proj !== undefined) holder.ortho = view.proj === "orthographic";
  if (view.zoom !== undefined) holder.zoom = hashNumbers(view.zoom, 1, "zoom")[0];
  if (view.pan !== undefined) holder.pan = hashNumbers(view.pan, 2, "pan");
  if (view.edges !== undefined) holder.wireframe = view.edges === "1";
}

// A parsed hash's moment onto a network's player: one with stage/t pauses there (play=1 plays on).
export function applyMomentHash(net, view) {
  if (!net || (view.stage === undefined && view.t === undefined)) return;
  const player = net.player;
  const stage = view.stage !== undefined ? hashNumbers(view.stage, 1, "stage")[0] : player.stageIndex + 1;
  const t = view.t !== undefined ? hashNumbers(view.t, 1, "t")[0] : 0;
  player.seek(stage - 1 + Math.min(Math.max(t, 0), 1));
  if (view.play === "1") player.playing = true;
}
