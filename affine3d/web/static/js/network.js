// network.js: an MLP's forward pass (affine3d/nn/mlp.py, nn/activations.py). Weights W have shape
// (out, in), as rows: W[i][j]; a layer is x -> activation(W x + b).

// Activations on one value (softmax works on a whole vector: see applyActivation).
const SIGMA = {
  identity: (z) => z,
  relu: (z) => Math.max(z, 0),
  leaky_relu: (z, alpha) => (z >= 0 ? z : alpha * z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: (z) => Math.tanh(z),
};

export const ACTIVATION_NAMES = ["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softmax"];

// activation: {name, alpha}; x: array of numbers -> a new array.
export function applyActivation(activation, x) {
  if (activation.name === "softmax") {
    const top = Math.max(...x);
    const e = x.map((v) => Math.exp(v - top));
    const total = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / total);
  }
  const f = SIGMA[activation.name];
  return x.map((v) => f(v, activation.alpha));
}

export function activationLabel(activation) {
  return activation.name === "leaky_relu" ? `leaky_relu(alpha=${activation.alpha})` : activation.name;
}

// W x + b, W as rows (out, in).
export function affineApply(W, b, x) {
  const out = new Array(W.length);
  for (let i = 0; i < W.length; i++) {
    const row = W[i];
    let s = b[i];
    for (let j = 0; j < row.length; j++) s += row[j] * x[j];
    out[i] = s;
  }
  return out;
}

// An MLP: layers [{W (rows, out x in), b, activation: {name, alpha}}], checked to chain.
export class Network {
  constructor(layers, name = "") {
    this.layers = layers;
    this.name = name;
    this.sizes = [layers[0].W[0].length, ...layers.map((layer) => layer.W.length)];
  }

  // Every value of the forward pass of one point: [x, z1, a1, z2, a2, ...] (MLP.trace's order).
  trace(x) {
    const steps = [x.slice()];
    let a = x;
    for (const layer of this.layers) {
      const z = affineApply(layer.W, layer.b, a);
      a = applyActivation(layer.activation, z);
      steps.push(z, a);
    }
    return steps;
  }

  forward(x) {
    const steps = this.trace(x);
    return steps[steps.length - 1];
  }
}
