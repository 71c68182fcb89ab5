"""Analytics: readiness, sales measures and statistics, as pure functions plus SQL aggregation."""
