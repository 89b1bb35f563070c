"""HTTP plumbing and the API contract (request/response models)."""
