"""The JSON API (/api/v1): token authentication, and endpoints that use the same
authorisation policy and services as the pages."""
