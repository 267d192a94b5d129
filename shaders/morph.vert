#version 330 core
// morph.vert: one stage of an MLP's forward pass applied to a mesh's vertices, at time t of the stage.
// Run with transform feedback (no rasterising): the outputs are captured into a buffer.
//
// A vertex carries its values in the stage's space as a homogeneous vector of 4 * N_BLOCKS floats, in
// blocks of four: the values, zeros, and a 1 in the very last slot, so b rides in the matrix exactly as
// in Affine.to_gl(). For a network that is 3 wide throughout, N_BLOCKS is 1, the state is vec4(x, y, z, 1)
// and stage_map[0] is the stage's 4x4 homogeneous matrix [A(t) | b(t)] over [0 0 0 | 1]: the vertex
// shader evaluates a network layer the way mesh.vert moves a solid. affine3d/gl/morph.py sets N_BLOCKS
// (the #define below, 1..4) before compiling: values up to 4 * N_BLOCKS - 1 wide.
//
// in   in_x0 .. in_x{N_BLOCKS-1}   the values at the start of the stage (t = 0)
// uniform stage_map[N*N]  mat4 blocks of the affine stage's homogeneous matrix at t, block (i, j) at
//                         index N_BLOCKS * i + j:  [[A(t), b(t)], [0, 1]],  A(t) = (1-t) I + t W,  b(t) = t b
// uniform kind            0: affine stage (x -> A(t) x + b(t)); 1: activation stage (x -> (1-t) x + t sigma(x))
// uniform activation      0 identity, 1 relu, 2 leaky_relu, 3 sigmoid, 4 tanh, 5 softmax (as mlp_layer.comp)
// uniform alpha           leaky_relu's slope for z < 0
// uniform t               time in the stage, 0..1
// uniform value_mask[N]       1.0 in the slots that hold values, 0.0 in the padding and the homogeneous 1
// uniform display[N]      mat4 blocks (0, j) of the display map's homogeneous matrix: values -> scene position
// out  out_x0 .. out_x{N_BLOCKS-1}  the values at t (at t = 1: the next stage's input)
// out  out_position       where the vertex is drawn at t, scene units (world space of the scene)

#define N_BLOCKS 1

#include "affine.glsl"
#include "activations.glsl"

in vec4 in_x0;
out vec4 out_x0;
#if N_BLOCKS > 1
in vec4 in_x1;
out vec4 out_x1;
#endif
#if N_BLOCKS > 2
in vec4 in_x2;
out vec4 out_x2;
#endif
#if N_BLOCKS > 3
in vec4 in_x3;
out vec4 out_x3;
#endif
out vec3 out_position;

uniform mat4 stage_map[N_BLOCKS * N_BLOCKS];
uniform mat4 display[N_BLOCKS];
uniform vec4 value_mask[N_BLOCKS];
uniform int kind;
uniform int activation;
uniform float alpha;
uniform float t;

// sigma, element by element, with the compute shaders' own functions (activations.glsl); softmax,
// which mixes a whole vertex's values, is handled in main().
vec4 sigma(vec4 z) {
    if (activation == 1) return sigma_relu(z);
    if (activation == 2) return sigma_leaky_relu(z, alpha);
    if (activation == 3) return sigma_sigmoid(z);
    if (activation == 4) return sigma_tanh(z);
    return sigma_identity(z);
}

void main() {
    vec4 x[N_BLOCKS];
    x[0] = in_x0;
#if N_BLOCKS > 1
    x[1] = in_x1;
#endif
#if N_BLOCKS > 2
    x[2] = in_x2;
#endif
#if N_BLOCKS > 3
    x[3] = in_x3;
#endif

    vec4 y[N_BLOCKS];
    if (kind == 0) {
        // The affine stage: y = H(t) x, one block row at a time, with the shared helper.
        for (int i = 0; i < N_BLOCKS; ++i) {
            y[i] = vec4(0.0);
            for (int j = 0; j < N_BLOCKS; ++j) {
                y[i] += apply_affine(stage_map[N_BLOCKS * i + j], x[j]);
            }
        }
    } else {
        // The activation stage: y = (1 - t) x + t sigma(x) in the value slots; padding and the 1 stay.
        vec4 s[N_BLOCKS];
        if (activation == 5) {  // softmax over all value slots together
            float m = -3.402823e38;
            for (int i = 0; i < N_BLOCKS; ++i) {
                for (int k = 0; k < 4; ++k) {
                    if (value_mask[i][k] > 0.5) m = max(m, x[i][k]);
                }
            }
            float total = 0.0;
            for (int i = 0; i < N_BLOCKS; ++i) {
                s[i] = exp(x[i] - m) * value_mask[i];
                total += dot(s[i], vec4(1.0));
            }
            for (int i = 0; i < N_BLOCKS; ++i) s[i] /= total;
        } else {
            for (int i = 0; i < N_BLOCKS; ++i) s[i] = sigma(x[i]);
        }
        for (int i = 0; i < N_BLOCKS; ++i) y[i] = mix(x[i], s[i], t * value_mask[i]);
    }

    vec4 p = vec4(0.0);
    for (int j = 0; j < N_BLOCKS; ++j) p += apply_affine(display[j], y[j]);
    out_position = p.xyz;

    out_x0 = y[0];
#if N_BLOCKS > 1
    out_x1 = y[1];
#endif
#if N_BLOCKS > 2
    out_x2 = y[2];
#endif
#if N_BLOCKS > 3
    out_x3 = y[3];
#endif
    gl_Position = vec4(out_position, 1.0);
}
