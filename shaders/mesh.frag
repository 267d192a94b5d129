#version 330 core
// mesh.frag: Lambert shading with the light fixed to the camera.
//
// in   v_normal       camera space (interpolated; renormalised here)
// uniform color        vec3   the object's colour, linear 0..1
// uniform light_dir    vec3   camera space, unit, pointing FROM the surface TOWARD the light (Scene.light_direction)
// uniform ambient      float  the share of light that reaches every face, 0..1
// uniform hatch_period int    0: off. > 0: the object (a solid a network turned inside out, det < 0: its inside
//                             faces the camera) is drawn in diagonal stripes, hatch_period pixels wide along the
//                             window's x + y, alternating inside_color and inside_color * inside_shade: a look
//                             no scene colour has, the same pixels as affine3d.cpu.raster.hatch_stripes
// uniform inside_color vec3   the stripes' colour (affine3d.geometry.shading.INSIDE_COLOR)
// uniform inside_shade float  the dark stripes' share of it (INSIDE_SHADE)
// out  frag_color     RGBA: base * (ambient + (1 - ambient) * max(n . light_dir, 0)), alpha 1,
//                     base = color, or the stripe's colour on a hatched face

#include "affine.glsl"

uniform vec3 color;
uniform vec3 light_dir;
uniform float ambient;
uniform int hatch_period;
uniform vec3 inside_color;
uniform float inside_shade;

in vec3 v_normal;

out vec4 frag_color;

void main() {
    vec3 n = normalize(v_normal);
    vec3 base = color;
    // Two-sided: a face seen from behind (an open mesh, or culling switched off) is lit from its
    // visible side. A reflection (det < 0) reverses the winding; the renderer sets the front face
    // per object so gl_FrontFacing stays true on the outside of a mirrored solid.
    if (!gl_FrontFacing) {
        n = -n;
    }
    if (hatch_period > 0) {
        // Integer pixel indices (gl_FragCoord is the pixel centre, i + 0.5): the stripe of a pixel is
        // exact, so the CPU rasterizer computes the same one. The whole object is striped, front and
        // back faces alike, so the two sides of a nearly flat solid do not flicker between two looks.
        int stripe = ((int(gl_FragCoord.x) + int(gl_FragCoord.y)) / hatch_period) % 2;
        base = stripe == 0 ? inside_color : inside_color * inside_shade;
    }
    float diffuse = lambert(n, light_dir);
    frag_color = vec4(base * (ambient + (1.0 - ambient) * diffuse), 1.0);
}
