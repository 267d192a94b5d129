"""The same scenes and networks in a browser: a folder of static files, and a small server for it.

The lecture's last point: an application is an inference engine, an interface (for example a web
page) and glue. Here the engine is WebGL2 running the desktop renderer's own shader files
(``shaders/mesh.vert``, ``mesh.frag``, ``lines.*``, ``morph.vert``, adapted by
:func:`affine3d.gl.glsl.webgl_source`), the interface is ``static/index.html`` and its ES modules,
and the glue is :mod:`.site` (scenes as JSON, model files copied) and :mod:`.server` (the standard
library's HTTP server, answering only inside its folder).

- :func:`build_site`: write the page, shaders, scenes and models into a folder (``affine3d export-web``);
- :func:`make_server`: serve such a folder on 127.0.0.1 (``affine3d serve``);
- :mod:`.lecture`: the lecture as a deck of live slides on the same engine, one self-contained HTML file
  (``affine3d lecture``).

The page's engine is ``static/js/``, split as the Python is (``affine.js``, ``projection.js``,
``arcball.js``, ``network.js``, ``morph.js``, ``gl.js``, ``view.js``..., re-exported by ``engine.js``):
each module follows the Python it mirrors and is tested against it; :mod:`affine3d.notebook` runs the
same files in a notebook. This floor sits above :mod:`affine3d.app`: it imports geometry, nn, the GLSL
include step and the one help table (``app/keys.py``), never a GL context.
"""

from .server import make_server, serve_folder
from .site import STATIC_DIR, build_site, scene_record

__all__ = ["build_site", "scene_record", "make_server", "serve_folder", "STATIC_DIR"]
