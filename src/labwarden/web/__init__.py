"""The web server: a REST API under ``/api/v1/`` and server-rendered pages over the catalog.

Needs the ``web`` extra (``pip install 'labwarden[web]'``). Modules that import FastAPI are
imported only by ``labwarden serve``; :mod:`labwarden.web.accounts` (users and tokens) needs
only argon2.
"""
