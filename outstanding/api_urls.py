"""REST API under /api/ (versioned: /api/v1/...), its OpenAPI schema and docs."""

urlpatterns: list = []
