"""Page-facing queries: what the dashboard's pages and the CLI's reports ask that is no metric.

- :mod:`~warehouse.pages.directory`: who and what the warehouse holds (entities, the values of the
  global filters, accounts, repositories);
- :mod:`~warehouse.pages.activity_figures`: the first-cut activity figures of the overview and
  entity pages (commits and contributors in a period, commits per month);
- :mod:`~warehouse.pages.repository`: one repository's items per month, releases and publiccode.yml;
- :mod:`~warehouse.pages.run_log`: the collection runs, their accounts, errors and rate-limit use,
  and whether the warehouse holds data.

Every function takes a DuckDB connection (or cursor; read-only is enough) and returns a pandas
DataFrame (or a plain value where noted). Those over several repositories take a
``warehouse.metrics.Scope`` for their filters (and level, where they aggregate), as the metrics
do. Values reach SQL only as bound parameters; the f-strings only assemble fixed fragments. These
modules build on :mod:`warehouse.metrics` and never the other way round.
"""
