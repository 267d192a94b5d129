#version 330 core
// mesh.vert: one vertex of a solid, object space in, clip space out.
//
// in   in_position  object space (the Mesh's coordinates)
// in   in_normal    object space, unit, outward (per face for flat shading, per vertex for smooth)
// uniform model          mat4  object space -> world space   (SceneObject.model)
// uniform world          mat4  world space  -> camera space  (Scene.world(): the world's rotation in
//                                                             front of the fixed camera, then -distance along z)
// uniform projection     mat4  camera space -> clip space    (perspective or orthographic; the GPU then divides by w)
// uniform normal_matrix  mat3  object normals -> camera normals: (A^-1)^T of (world @ model), from Affine.normal_matrix()
// out  v_normal     camera space, unit
// out  gl_Position  clip space

#include "affine.glsl"

uniform mat4 model;
uniform mat4 world;
uniform mat4 projection;
uniform mat3 normal_matrix;

in vec3 in_position;
in vec3 in_normal;

out vec3 v_normal;

void main() {
    // The same order as Python: projection @ world @ model @ [p, 1] (model first).
    gl_Position = projection * world * model * vec4(in_position, 1.0);
    v_normal = apply_normal_matrix(normal_matrix, in_normal);
}
