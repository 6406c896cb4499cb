"""Background work: what the RQ worker does, and the same work done inline without Redis.

`jobs` (the sweep cycle, timer jobs, deliveries, the daily recap job; RQ is imported only here)
and `inline` (commands doing the worker's jobs themselves when no Redis is configured). May import
everything in the core except `commands`.
"""
