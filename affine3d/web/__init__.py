"""The same scenes and networks in a browser: a folder of static files, and a small server for it.

The lecture's last point: an application is an inference engine, an interface (for example a web
page) and glue. Here the engine is WebGL2 running the desktop renderer's own shader files
(``shaders/mesh.vert``, ``mesh.frag``, ``lines.*``, ``morph.vert``, adapted by
:func:`affine3d.gl.glsl.webgl_source`), the interface is ``static/index.html`` and its ES modules,
and the glue is :mod:`.site` (scenes as JSON, model files copied) and :mod:`.server` (the standard
library's HTTP server, answering only inside its folder).

- :func:`build_site`: write the page, shaders, scenes and models into a folder (``affine3d export-web``);
- :func:`make_server`: serve such a folder on 127.0.0.1 (``affine3d serve``).

The page's maths (the world map from a drag, a dropped model's forward pass) is
``static/js/affine.js``, which follows :class:`~affine3d.affine.Affine`'s conventions and is tested
against it. This floor sits beside :mod:`affine3d.app`: it imports geometry, nn and the GLSL include
step, never a GL context.
"""

from .server import make_server, serve_folder
from .site import STATIC_DIR, build_site, scene_record

__all__ = ["build_site", "scene_record", "make_server", "serve_folder", "STATIC_DIR"]
