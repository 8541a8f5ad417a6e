"""The server shell's HTTP middleware: security headers and trusted hosts, and compression with honest validators.

Wrapped around the app by `app.main`; may import `app.config` only.
"""
