"""The HTTP API's plumbing, shared by every app's ``api.py``.

``site`` holds the NinjaAPI (and is the only module here that knows the apps);
``auth``, ``errors``, ``schemas``, ``pagination`` and ``refs`` are the pieces an
app's routes use. Nothing here is imported by ``core`` models or services.
"""
