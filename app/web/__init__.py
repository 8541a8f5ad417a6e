"""Stage 6, the website: Jinja2 pages and the state a search keeps in its URL.

Reads queries the way the API does (`app.api.params`); may import `app.api` and the stages below it.
"""
