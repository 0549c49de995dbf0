"""consult: a participatory policy-consultation platform.

The application is built by ``consult.app.create_app``; the map of the code is
``docs/architecture.md``.
"""
