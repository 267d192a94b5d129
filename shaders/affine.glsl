// affine.glsl: the affine-map helpers every affine3d shader shares.
//
// Pulled in by an include line naming this file (affine3d/gl/glsl.py pastes the file in place of that line).
// It has no #version line and declares no in/out/uniform variables, only functions, so the same
// file serves the renderer's vertex shaders (#version 330 core) and the MLP compute shader (#version 430).
//
// Conventions (the same as Python's Affine): column vectors, M * p applies M to p, and a product
// A * B applies B first. A mat4 holds [A | b] over [0 0 0 | 1] (column-major, as Affine.to_gl() writes it).

// F(p) = A p + b on a homogeneous point (w = 1), or A v on a direction (w = 0: the translation
// b does not apply): just the matrix product.
vec4 apply_affine(mat4 M, vec4 p) {
    return M * p;
}

// A surface normal through the normal matrix N = (A^-1)^T, which the CPU computes
// (Affine.normal_matrix()); renormalised because N need not keep lengths.
vec3 apply_normal_matrix(mat3 N, vec3 n) {
    return normalize(N * n);
}

// Lambert's cosine law: the fraction of light a surface with unit normal n receives from the unit
// direction l (pointing from the surface toward the light); 0 when the light is behind the surface.
float lambert(vec3 n, vec3 l) {
    return max(dot(n, l), 0.0);
}
