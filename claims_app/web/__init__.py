"""The web layer's cross-cutting parts: request security (middleware, error pages) and export safety."""
