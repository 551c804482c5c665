"""The REST API under ``/api/v1/``: JSON in and out, bearer tokens or a session with CSRF."""
