"""Web front end: pages for people and the JSON API (Flask stays inside this package)."""
