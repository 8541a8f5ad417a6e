"""All the HTTP middleware, wrapped around the app by `app.main`: security headers and trusted hosts, compression,
the response cache, the API's CORS, and request ids, access logs and metrics.
"""
