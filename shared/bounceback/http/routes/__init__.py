"""The API's routes, one Powertools `Router` per resource; `functions/api` includes them."""
