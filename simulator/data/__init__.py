"""Reading customer lists and timesheets exported from CRMs, spreadsheets and time trackers.

This is the reading layer only (no statistics): it finds the table and its columns,
parses messy values (``"$12,000"``, ``"12.000,00 EUR"``, ``"05.03.2024"``, ``"1:30"``),
and accounts for every row it does not use.

* :func:`read_customers` -> :class:`CustomerList` of :class:`Customer`;
* :func:`read_timesheet` -> :class:`Timesheet` of :class:`TimeEntry`;
* :func:`read_activities` -> :class:`ActivityLog` of :class:`Activity` (CRM activity
  histories: calls, meetings, e-mails, tasks, tickets);
* :class:`DataError` (a :class:`~simulator.errors.ScenarioError`) for files that
  cannot be used at all; skipped rows are :class:`RowIssue` records, not errors;
* :data:`CUSTOMER_FIELD_TABLE` / :data:`TIMESHEET_FIELD_TABLE` /
  :data:`ACTIVITY_FIELD_TABLE`: the recognised headers.
"""

from simulator.data.activities import Activity, ActivityLog, read_activities
from simulator.data.activity_fields import ACTIVITY_FIELD_TABLE, ACTIVITY_FIELDS
from simulator.data.columns import match_columns
from simulator.data.customers import Customer, CustomerList, read_customers
from simulator.data.dates import infer_dayfirst, parse_date
from simulator.data.durations import parse_hours
from simulator.data.errors import RowIssue
from simulator.data.fields import (
    CUSTOMER_FIELD_TABLE,
    CUSTOMER_FIELDS,
    TIMESHEET_FIELD_TABLE,
    TIMESHEET_FIELDS,
    FieldSpec,
)
from simulator.data.mapping import parse_mapping
from simulator.data.table import RawTable, read_table
from simulator.data.timesheet import TimeEntry, Timesheet, read_timesheet
from simulator.data.values import infer_decimal_comma, parse_money
from simulator.errors import DataError

__all__ = [
    "ACTIVITY_FIELDS",
    "ACTIVITY_FIELD_TABLE",
    "CUSTOMER_FIELDS",
    "CUSTOMER_FIELD_TABLE",
    "TIMESHEET_FIELDS",
    "TIMESHEET_FIELD_TABLE",
    "Activity",
    "ActivityLog",
    "Customer",
    "CustomerList",
    "DataError",
    "FieldSpec",
    "RawTable",
    "RowIssue",
    "TimeEntry",
    "Timesheet",
    "infer_dayfirst",
    "infer_decimal_comma",
    "match_columns",
    "parse_date",
    "parse_hours",
    "parse_mapping",
    "parse_money",
    "read_activities",
    "read_customers",
    "read_table",
    "read_timesheet",
]
