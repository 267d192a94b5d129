#version 330 core
// lines.frag: a flat edge colour, no lighting.
//
// uniform edge_color  vec3  linear 0..1
// out  frag_color     RGBA, alpha 1

uniform vec3 edge_color;

out vec4 frag_color;

void main() {
    frag_color = vec4(edge_color, 1.0);
}
