#version 330 core
// lines.vert: one end of a wireframe edge (Mesh.edges), object space in, clip space out.
//
// in   in_position  object space
// uniform model       mat4  object space -> world space   (SceneObject.model)
// uniform world       mat4  world space  -> camera space  (Scene.world())
// uniform projection  mat4  camera space -> clip space
// out  gl_Position  clip space
//
// The edges lie exactly on the faces they border; the renderer draws the faces with a polygon
// offset (pushed a hair away from the camera), so the edges win the depth test there and stay
// hidden behind the solid's nearer faces.

uniform mat4 model;
uniform mat4 world;
uniform mat4 projection;

in vec3 in_position;

void main() {
    // The same order as Python and mesh.vert: projection @ world @ model @ [p, 1] (model first).
    gl_Position = projection * world * model * vec4(in_position, 1.0);
}
