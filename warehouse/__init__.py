"""The DuckDB warehouse: schema, loading, collection state, publishing, the metrics and the page queries."""
