"""The DuckDB warehouse: schema, loading, collection state, publishing and queries."""
