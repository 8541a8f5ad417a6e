"""Stage 5, the JSON API under /api/v1: routes, dependencies, query-parameter parsing, the OpenAPI description.

May import `app.live` and the stages below it.
"""
