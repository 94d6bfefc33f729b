"""API for this app: viewsets register on ``router``; clinic/api_urls.py mounts it."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
