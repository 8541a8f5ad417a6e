"""Mentor Directory: the searchable catalog of mentorship programs for academic medicine."""
