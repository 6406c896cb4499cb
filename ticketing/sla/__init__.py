"""SLA: the office calendar and the three-working-day clock.

`calendar` (working days and hours in Asia/Jakarta, holidays, cuti bersama), `tracking` (SLA state,
the sweep, timer claims), `deadlines` (recomputing and pausing due dates). The database is the
source of truth for time. May import the store, workflow statuses and the clock.
"""
