#version 330 core
// mesh.frag: Lambert shading with the light fixed to the camera.
//
// in   v_normal       camera space (interpolated; renormalised here)
// uniform color       vec3   the object's colour, linear 0..1
// uniform light_dir   vec3   camera space, unit, pointing FROM the surface TOWARD the light (Scene.light_direction)
// uniform ambient     float  the share of light that reaches every face, 0..1
// out  frag_color     RGBA: color * (ambient + (1 - ambient) * max(n . light_dir, 0)), alpha 1

#include "affine.glsl"

uniform vec3 color;
uniform vec3 light_dir;
uniform float ambient;

in vec3 v_normal;

out vec4 frag_color;

void main() {
    vec3 n = normalize(v_normal);
    // Two-sided: a face seen from behind (an open mesh, or culling switched off) is lit from its
    // visible side. A reflection (det < 0) reverses the winding; the renderer sets the front face
    // per object so gl_FrontFacing stays true on the outside of a mirrored solid.
    if (!gl_FrontFacing) {
        n = -n;
    }
    float diffuse = lambert(n, light_dir);
    frag_color = vec4(color * (ambient + (1.0 - ambient) * diffuse), 1.0);
}
