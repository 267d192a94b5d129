// activations.glsl: the activation functions sigma of affine3d/nn/activations.py, four values at a time.
//
// Pulled in by an include line naming this file (affine3d/gl/glsl.py pastes it in), like affine.glsl:
// no #version line, no in/out/uniform variables, only functions. Softmax mixes a whole layer, so the
// shaders that need it (mlp.comp, mlp_layer.comp) do it themselves over all of a sample's blocks.

vec4 sigma_identity(vec4 z) {
    return z;
}

vec4 sigma_relu(vec4 z) {
    return max(z, 0.0);
}

// z for z >= 0, alpha z otherwise, for any alpha (also alpha > 1 or < 0).
vec4 sigma_leaky_relu(vec4 z, float alpha) {
    return max(z, 0.0) + alpha * min(z, 0.0);
}

// 1 / (1 + e^-z): for z << 0, e^-z overflows to inf and 1 / inf = 0, the right limit.
vec4 sigma_sigmoid(vec4 z) {
    return 1.0 / (1.0 + exp(-z));
}

// tanh without inf / inf for large |z| (e = e^{-2|z|} is in (0, 1]); near 0, where 1 - e cancels,
// the series z - z^3/3 (its next term, 2 z^5 / 15, is below float32 rounding for |z| < 0.01).
vec4 sigma_tanh(vec4 z) {
    vec4 e = exp(-2.0 * abs(z));
    vec4 large = sign(z) * (1.0 - e) / (1.0 + e);
    vec4 small = z * (1.0 - z * z / 3.0);
    return mix(large, small, vec4(lessThan(abs(z), vec4(0.01))));
}
