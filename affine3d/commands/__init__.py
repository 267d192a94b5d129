"""The subcommands of ``affine3d``: one module each, with ``HELP``, ``add_arguments`` and ``run``."""
