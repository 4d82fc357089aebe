"""Synthetic customer lists and timesheets drawn from known, documented parameters.

SYNTHETIC DATA - not real customers. Everything here is made up by a seeded random
generator so that tests can check that estimates recover the parameters the data were
drawn from (churn per renewal, expansion at renewal, ARR bands, customer time share,
unscheduled uplift, hours per touchpoint), and so that ``scenarios/data/`` can ship a
realistic example (``python scenarios/data/make_synthetic.py``).

The customer process (:func:`generate_customers`), per account:

1. New logos sign over ``[first_signing, as_of]``: a Poisson number per calendar month
   with mean ``logos_per_month`` (pro rata for partial months), each on a day drawn
   uniformly within the month; IDs are assigned in signing order.
2. The segment is drawn with the segments' ``new_logo_share``; ARR at signing is
   lognormal with the segment's mean and coefficient of variation, rounded to whole
   dollars.
3. At every contract anniversary (``term_months`` apart) on or before ``as_of`` the
   account churns with probability ``churn_per_renewal`` (churn date = that renewal
   date, ARR = the last ARR before churn); otherwise its ARR is multiplied by
   ``1 + e``, ``e`` a normal draw truncated below at ``expansion_floor`` (redrawn until
   above it), rounded to cents.
4. Active accounts renew next at the first anniversary after ``as_of``; their lifecycle
   stage at ``as_of`` is Onboarding (tenure < 90 days), Adoption (< 180 days), Renewal
   (next renewal within 120 days) or Steady State. Churned accounts are "Churned".

The timesheet process (:func:`generate_timesheet`) is described in
:class:`TimesheetTruth`. Only ``numpy.random.default_rng(seed)`` supplies randomness, so
a seed gives the same rows (and, through :func:`write_csv`, the same bytes) every time.
"""

from simulator.synthetic.customers import (
    CUSTOMER_COLUMNS,
    Mess,
    generate_customers,
    messy_customers,
)
from simulator.synthetic.files import (
    history_truth_json,
    main,
    write_csv,
    write_customers,
    write_history,
)
from simulator.synthetic.history import (
    History,
    RenewalTruth,
    default_plan,
    generate_history,
    true_segments,
)
from simulator.synthetic.history_coverage import late_onboarding, renewal_coverage
from simulator.synthetic.history_rows import ACTIVITY_COLUMNS
from simulator.synthetic.history_truth import (
    DEFAULT_ACTIVITY_NAMES,
    DEFAULT_HISTORY_SEGMENTS,
    DEFAULT_HISTORY_TRUTH,
    ActivityName,
    HistorySegment,
    HistoryTruth,
)
from simulator.synthetic.lifecycle import lifecycle_stage
from simulator.synthetic.timesheet import TIMESHEET_COLUMNS, generate_timesheet
from simulator.synthetic.timesheet_truth import DEFAULT_ACTIVITIES, ActivityTruth, TimesheetTruth
from simulator.synthetic.truth import DEFAULT_SEGMENTS, DEFAULT_TRUTH, SegmentTruth, Truth

__all__ = [
    "ACTIVITY_COLUMNS",
    "CUSTOMER_COLUMNS",
    "DEFAULT_ACTIVITIES",
    "DEFAULT_ACTIVITY_NAMES",
    "DEFAULT_HISTORY_SEGMENTS",
    "DEFAULT_HISTORY_TRUTH",
    "DEFAULT_SEGMENTS",
    "DEFAULT_TRUTH",
    "TIMESHEET_COLUMNS",
    "ActivityName",
    "ActivityTruth",
    "History",
    "HistorySegment",
    "HistoryTruth",
    "Mess",
    "RenewalTruth",
    "SegmentTruth",
    "TimesheetTruth",
    "Truth",
    "default_plan",
    "generate_customers",
    "generate_history",
    "generate_timesheet",
    "history_truth_json",
    "late_onboarding",
    "lifecycle_stage",
    "main",
    "messy_customers",
    "renewal_coverage",
    "true_segments",
    "write_csv",
    "write_customers",
    "write_history",
]
