"""The fields cssim reads from CRM activity histories, with their header aliases.

An activity history is one row per logged call, meeting, e-mail, task or ticket, as
Salesforce, Gainsight, HubSpot, ChurnZero, Vitally or a helpdesk exports them (see
docs/data-activities.md). Each :class:`~simulator.data.fields.FieldSpec` lists header
spellings, already normalised (:func:`~simulator.data.headers.normalise_header`), in
order of preference; :func:`~simulator.data.columns.match_columns` matches them exactly,
then by word containment, with ``--map`` overrides.

Units in headers are read by :mod:`simulator.data.activities`: bare numbers under
``Call Duration in seconds`` are seconds, under ``Duration (min)`` minutes, otherwise
hours; ``HH:MM:SS``, ``1:30``, ``45 min`` are read whatever the header says.
"""

from __future__ import annotations

from simulator.data.fields import FieldSpec, field_table

__all__ = ["ACTIVITY_FIELDS", "ACTIVITY_FIELD_TABLE", "ACTIVITY_REQUIRED"]

ACTIVITY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "account",
        "account",
        (
            "account id",
            "account name",
            "company id",
            "company name",
            "company",
            "company account",
            "associated company",
            "account",
            "customer id",
            "customer name",
            "customer",
            "client name",
            "client",
            "organization",
            "organisation",
            "organization name",
            "related to",
        ),
        "the customer the activity was with (text): an ID or a name, as the customer "
        "list writes it",
        required=True,
    ),
    FieldSpec(
        "date",
        "activity date",
        (
            "activity date",
            "date",
            "completed date",
            "date completed",
            "completed at",
            "start date time",
            "start date",
            "start time",
            "start",
            "event date",
            "meeting date",
            "call date",
            "occurred at",
            "activity timestamp",
            "timestamp",
            "created at",
            "due date",
            "created date",
            "date created",
            "create date",
        ),
        "day the activity happened (date; a date and time keeps its date)",
        required=True,
        kind="date",
    ),
    FieldSpec(
        "type",
        "activity type",
        (
            "activity type",
            "type",
            "task type",
            "event type",
            "engagement type",
            "timeline activity type",
            "meeting type",
            "call type",
            "interaction type",
            "ticket type",
            "activity category",
            "category",
        ),
        "kind of activity as written, e.g. QBR, Call, Meeting (text); the subject when "
        "there is no type",
    ),
    FieldSpec(
        "subject",
        "subject",
        (
            "subject",
            "title",
            "activity subject",
            "task subject",
            "event subject",
            "call title",
            "meeting name",
            "meeting title",
            "notes subject",
            "summary",
            "name",
        ),
        "subject line or title (text); read for the touchpoint when the type is generic "
        "(Call, Meeting, Email, Task, Other)",
    ),
    FieldSpec(
        "owner",
        "owner",
        (
            "assigned",
            "assigned to",
            "activity assigned to",
            "owner",
            "activity owner",
            "task owner",
            "event owner",
            "owner name",
            "author",
            "created by",
            "user",
            "csm",
            "assignee",
            "agent",
            "logged by",
        ),
        "who did it (text)",
    ),
    FieldSpec(
        "hours",
        "duration",
        (
            "duration",
            "duration minutes",
            "duration mins",
            "duration seconds",
            "duration secs",
            "duration hours",
            "call duration",
            "call duration seconds",
            "call duration minutes",
            "meeting duration",
            "hours",
            "time spent",
            "time spent minutes",
            "time spent hours",
            "hours spent",
            "hrs",
            "minutes",
            "mins",
            "seconds",
            "effort",
            "call length",
        ),
        "how long it took, hours: bare numbers are hours, or minutes or seconds when the "
        "header says so ('Duration (min)', 'Call Duration in seconds'); '1:30', "
        "'00:45:00', '45 min' are read as written",
        kind="hours",
    ),
    FieldSpec(
        "response_hours",
        "response time",
        (
            "first response time",
            "first response time hours",
            "first response time minutes",
            "time to first response",
            "first reply time",
            "first reply time hours",
            "first reply time minutes",
            "time to first reply",
            "first response",
            "response time",
            "response time hours",
            "response time minutes",
            "reply time",
            "time to respond",
            "response hours",
        ),
        "time to the first response to a request or ticket, hours (minutes or seconds "
        "when the header says so)",
        kind="hours",
    ),
)
"""Activity fields in order of preference: ``account`` and ``date`` are required, and a
``type`` or a ``subject`` (see :data:`ACTIVITY_REQUIRED`)."""

ACTIVITY_REQUIRED: tuple[tuple[str, ...], ...] = (("type", "subject"),)
"""Groups of alternative fields of which one must be found (besides the required ones)."""

ACTIVITY_FIELD_TABLE = field_table(ACTIVITY_FIELDS)
"""Markdown table of activity-history fields (a ``type`` or a ``subject`` is required)."""
