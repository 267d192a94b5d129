#version 430
// mlp.comp: a whole MLP, every layer y = sigma(W x + b), on one sample per invocation, in one dispatch.
//
// in   x[]   the batch, sample-major: sample s has IN_BLOCKS vec4 at x[s * IN_BLOCKS + j] (its values,
//            then zeros up to a multiple of 4)
// out  y[]   the outputs, likewise: OUT_BLOCKS vec4 per sample (padding slots hold nothing useful)
// uniform n_samples     how many samples the batch has (the last work group may run past it)
// uniform first_sample  the sample of invocation 0 (a batch of more than 65535 work groups takes several dispatches)
//
// Each layer's W (shape (out, in)) is cut into 4x4 blocks, and block (i, j) is written into this
// source as a mat4 constant: the i-th four outputs are b_i + sum_j W_ij x_j, each term the very
// apply_affine(M, p) = M * p that mesh.vert applies to a vertex. affine3d/gl/compute.py writes the network
// in place of the marker line in main() once per model, and sets the #defines below, before compiling.
//
// Why constants and not a uniform buffer: on Mesa's llvmpipe (software GL) a constant costs nothing
// to fetch, while a weight read from a buffer costs a memory load per use and the compile time
// grows with the square of the number of loads (`affine3d bench gpu` compares both with numpy). Every
// intermediate value stays in registers: nothing is written between layers.

#define LOCAL_SIZE 64
#define IN_BLOCKS 1
#define OUT_BLOCKS 1

#include "affine.glsl"
#include "activations.glsl"

layout(local_size_x = LOCAL_SIZE) in;

layout(std430, binding = 0) readonly buffer Inputs { vec4 x[]; };
layout(std430, binding = 1) writeonly buffer Outputs { vec4 y[]; };

uniform uint n_samples;
uniform uint first_sample;

void main() {
    uint s = first_sample + gl_GlobalInvocationID.x;
    if (s >= n_samples) return;
    uint x_at = s * uint(IN_BLOCKS);
    uint y_at = s * uint(OUT_BLOCKS);
    // @network (affine3d/gl/compute.py puts the layers here)
}
