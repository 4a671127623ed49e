"""Every write of project construction (keyword-only, ``acting_user``, audit row in the
same transaction). Split by subject: ``investment`` (key lists, monthly reports,
rollups), ``workplan`` (milestones), ``reserve`` (the reserve pipeline)."""
