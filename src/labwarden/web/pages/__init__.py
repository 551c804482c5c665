"""Server-rendered pages (Jinja2), one module per area; forms carry the session's CSRF token."""
