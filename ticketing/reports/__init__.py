"""Reports: Rekap Harian and Laporan Bulanan (SOP step 5) and their formats.

`recap` (figures by SQL aggregation), `recap_sql` (office-local periods), `words` (labels in
Indonesian and English), `export` (table, CSV, XLSX), `pdf` (the printable, signable report).
May import the store, sla, workflow and privacy.
"""
