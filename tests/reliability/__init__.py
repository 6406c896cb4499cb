"""The reliability and security test plan (docs/reliability.md), rows not covered elsewhere."""
