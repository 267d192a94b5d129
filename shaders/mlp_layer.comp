#version 430
// mlp_layer.comp: one MLP layer y = sigma(W x + b) on a batch, the weights in a GPU buffer as 4x4 blocks.
//
// in   x[]   the layer's input, sample-major: IN_BLOCKS vec4 per sample (values, then zero padding)
// out  y[]   its output: OUT_BLOCKS vec4 per sample
// buffer Weights  W_blocks[i * IN_BLOCKS + j] = rows 4i..4i+3, columns 4j..4j+3 of W (out, in), as a
//                 column-major mat4 (zero past the edges); bias[i] = b[4i..4i+3]. A uniform block
//                 where it fits (GL_MAX_UNIFORM_BLOCK_SIZE), else a storage buffer (WEIGHTS_IN_UBO 0).
// uniform first_sample  the sample of invocation 0 (a batch of more than 65535 work groups takes several dispatches)
// uniform n_samples, in_blocks, out_blocks  (the loop bounds are uniforms, so the compiler keeps the
//                 loops: compile time stays flat however wide the layer is)
//
// Output block i of a sample is b_i + sum_j apply_affine(W_ij, x_j): the same mat4 * vec4 that
// mesh.vert applies to a vertex. Each invocation does SAMPLES samples, so each weight block fetched
// serves SAMPLES products (on llvmpipe the fetch, not the arithmetic, is what costs).
// affine3d/gl/compute.py sets the #defines below before compiling, one program per layer shape.

#define LOCAL_SIZE 64
#define SAMPLES 4
#define IN_BLOCKS 1
#define OUT_BLOCKS 1
#define OUT_WIDTH 4
#define WEIGHTS_IN_UBO 1
// 0 identity, 1 relu, 2 leaky_relu, 3 sigmoid, 4 tanh, 5 softmax
#define ACTIVATION 0

#include "affine.glsl"
#include "activations.glsl"

layout(local_size_x = LOCAL_SIZE) in;

#if WEIGHTS_IN_UBO
layout(std140, binding = 0) uniform Weights { mat4 W_blocks[IN_BLOCKS * OUT_BLOCKS]; vec4 bias[OUT_BLOCKS]; };
#else
layout(std430, binding = 2) readonly buffer Weights { mat4 W_blocks[IN_BLOCKS * OUT_BLOCKS]; vec4 bias[OUT_BLOCKS]; };
#endif
layout(std430, binding = 0) readonly buffer Inputs { vec4 x[]; };
layout(std430, binding = 1) buffer Outputs { vec4 y[]; };

uniform uint n_samples;
uniform uint first_sample;
uniform int in_blocks;
uniform int out_blocks;
uniform float alpha;  // leaky_relu's slope for z < 0

vec4 sigma(vec4 z) {
#if ACTIVATION == 1
    return sigma_relu(z);
#elif ACTIVATION == 2
    return sigma_leaky_relu(z, alpha);
#elif ACTIVATION == 3
    return sigma_sigmoid(z);
#elif ACTIVATION == 4
    return sigma_tanh(z);
#else
    return z;  // identity; softmax is done below, over the whole output
#endif
}

// true in the slots of output block i that hold values, false in the padding.
bvec4 value_mask(int i) {
    return lessThan(ivec4(4 * i) + ivec4(0, 1, 2, 3), ivec4(OUT_WIDTH));
}

void main() {
    uint first = first_sample + gl_GlobalInvocationID.x * uint(SAMPLES);
    if (first >= n_samples) return;
    int count = int(min(uint(SAMPLES), n_samples - first));

    vec4 h[SAMPLES * IN_BLOCKS];
    for (int k = 0; k < count; ++k) {
        for (int j = 0; j < in_blocks; ++j) h[k * IN_BLOCKS + j] = x[(first + uint(k)) * uint(IN_BLOCKS) + uint(j)];
    }
    for (int i = 0; i < out_blocks; ++i) {
        vec4 acc[SAMPLES];
        for (int k = 0; k < SAMPLES; ++k) acc[k] = bias[i];
        for (int j = 0; j < in_blocks; ++j) {
            mat4 M = W_blocks[i * IN_BLOCKS + j];
            for (int k = 0; k < SAMPLES; ++k) acc[k] += apply_affine(M, h[k * IN_BLOCKS + j]);
        }
        for (int k = 0; k < count; ++k) y[(first + uint(k)) * uint(OUT_BLOCKS) + uint(i)] = sigma(acc[k]);
    }

#if ACTIVATION == 5
    // softmax over the OUT_WIDTH values of each sample: subtract the maximum (it cancels), exp, divide by the sum.
    for (int k = 0; k < count; ++k) {
        uint at = (first + uint(k)) * uint(OUT_BLOCKS);
        float m = -3.402823e38;
        for (int i = 0; i < out_blocks; ++i) {
            vec4 z = mix(vec4(-3.402823e38), y[at + uint(i)], value_mask(i));
            m = max(m, max(max(z.x, z.y), max(z.z, z.w)));
        }
        float total = 0.0;
        for (int i = 0; i < out_blocks; ++i) {
            vec4 e = mix(vec4(0.0), exp(y[at + uint(i)] - m), value_mask(i));  // a select: exp may be inf in the padding
            y[at + uint(i)] = e;
            total += dot(e, vec4(1.0));
        }
        for (int i = 0; i < out_blocks; ++i) y[at + uint(i)] /= total;
    }
#endif
}
