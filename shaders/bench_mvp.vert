#version 330 core
// bench_mvp.vert: the reference vertex shader of `affine3d bench render` (a minimal raw moderngl loop).
//
// in   in_position  object space
// in   in_normal    object space, unit
// uniform mvp            mat4  object space -> clip space: projection @ world @ model, multiplied once on the CPU
// uniform normal_matrix  mat3  object normals -> camera normals, (A^-1)^T of (world @ model)
// out  v_normal     camera space, unit
// out  gl_Position  clip space
//
// mesh.vert multiplies projection * world * model per vertex instead; the benchmark shows what that costs.

uniform mat4 mvp;
uniform mat3 normal_matrix;

in vec3 in_position;
in vec3 in_normal;

out vec3 v_normal;

void main() {
    gl_Position = mvp * vec4(in_position, 1.0);
    v_normal = normalize(normal_matrix * in_normal);
}
