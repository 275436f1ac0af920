"""The v1 REST API (Django REST framework): one module per concern, from the request in (authentication, clients,
permissions, throttling, parsers, negotiation, filtering) to the answer out (serializers, representation,
pagination, renderers, exceptions), with its OpenAPI schema (schema, examples) and its views and routes."""
