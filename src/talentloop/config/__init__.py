"""The composition root: settings, the URL tree, the API that mounts each app's router, the job queue
and the WSGI entry point. It may import every app; none imports it."""
