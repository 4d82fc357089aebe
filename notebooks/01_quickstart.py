# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # cssim quickstart: from a plan to numbers you can defend
#
# This notebook walks through the Python API behind the `cssim` command line:
#
# 1. load the bundled default plan (`scenarios/default.yaml`: three segments, top tier,
#    mid-market and SMB tech-touch);
# 2. size it with the closed-form estimate, the arithmetic of a capacity spreadsheet;
# 3. simulate the year many times (Monte Carlo replications) and read every figure as a
#    mean with a 95% confidence interval;
# 4. draw the charts that go on a slide.
#
# The command-line equivalents are `cssim estimate` and `cssim run -n N`.
#
# **Replications.** The number of replications comes from the environment variable
# `CSSIM_NOTEBOOK_REPLICATIONS` (20 when it is not set). Use 20 or more for a decision you
# will defend; the test suite executes this notebook with a small count, so its intervals
# are wide and its numbers are only a smoke test.

# %%
# %matplotlib inline
import os
import time

import pandas as pd
from IPython.display import display

import simulator
from simulator.report import charts
from simulator.report.formatting import money, num, pct
from simulator.report.run import ci_money, ci_num, ci_pct

N = max(2, int(os.environ.get("CSSIM_NOTEBOOK_REPLICATIONS", "20")))
print(f"cssim {simulator.__version__}; {N} replications per experiment")


# %% [markdown]
# ## 1. Load the plan
#
# `simulator.load(None)` loads the bundled default scenario and also returns the files it
# came from and any warnings (values far outside the plausible ranges). Pass a path to load
# your own plan, and `["dotted.path=value", ...]` to override fields, as `--set` does on the
# command line. `simulator.load_scenario(...)` returns only the validated scenario.

# %%
loaded = simulator.load(None)
scenario = loaded.scenario
currency = scenario.currency
print(
    f"{scenario.name}: {scenario.horizon_days}-day plan from {scenario.start_date}, seed {scenario.seed}"
)
print("from", ", ".join(loaded.files), f"({len(loaded.warnings)} warnings)")
display(
    pd.DataFrame(
        [
            [
                name,
                num(seg.starting_accounts),
                seg.coverage,
                len(seg.touchpoints),
                scenario.all_teams()[scenario.team_name(name)].csms,
            ]
            for name, seg in scenario.segments.items()
        ],
        columns=["segment", "accounts", "coverage", "touchpoints", "CSMs today"],
    )
)

# %% [markdown]
# ## 2. The closed-form estimate
#
# `simulator.estimate` counts the hours every touchpoint needs over the year (scheduled
# touches, inbound requests and escalations, plus the unscheduled uplift), divides by the
# customer hours one CSM really has (available hours x share of time on customers x
# availability after attrition and ramp-up) and rounds up. It takes milliseconds and is
# the bracket every simulation starts from; it ignores queues, due dates and variability.

# %%
est = simulator.estimate(scenario)
display(
    pd.DataFrame(
        [
            [
                t.team,
                num(t.demand_hours_per_year),
                num(t.customer_hours_per_csm),
                num(t.fte_needed, 1),
                t.csms_needed,
                t.csms_current,
                t.gap,
                money(t.gap * t.annual_cost_per_csm, currency) + "/yr" if t.gap > 0 else "-",
            ]
            for t in est.teams
        ],
        columns=[
            "team",
            "demand (h/yr)",
            "h per CSM",
            "FTE needed",
            "CSMs needed",
            "CSMs today",
            "gap",
            "cost of the gap",
        ],
    )
)
for t in est.teams:
    verdict = "enough" if t.gap <= 0 else f"short by {t.gap}"
    print(
        f"{t.team}: {t.fte_needed:.1f} FTE of work -> {t.csms_needed} CSMs; "
        f"the plan has {t.csms_current} ({verdict}); closed-form load "
        f"{pct(t.fte_needed / t.csms_current, 0)} of capacity."
    )

# %% [markdown]
# ## 3. Simulate the year
#
# `simulator.run_experiment(scenario, n, jobs=1)` plays the plan out `n` times in this
# process (`jobs=None` uses a process pool on every core). Each replication is a
# discrete-event simulation: accounts move through their lifecycle, CSMs work through
# queues of touches, and churn at renewal responds to what was delivered. Replication *i*
# is a pure function of (scenario, *i*, seed), so the same call always gives the same
# numbers.

# %%
started = time.perf_counter()
exp = simulator.run_experiment(scenario, N, jobs=1)
print(
    f"{exp.replications} replications in {time.perf_counter() - started:.1f} s (seed {exp.root_seed})"
)

# %% [markdown]
# `Experiment.stats()` summarises every metric of every segment across replications:
# `MetricStats(mean, low, high, sd, n, p10, p50, p90)`, where `low`/`high` bound the 95%
# t interval of the mean. The table shows the headline figures as mean [95% CI], formatted
# by the same helpers as `cssim run` (`simulator.report.run.ci_pct`, `ci_money`, `ci_num`).

# %%
HEADLINE = [
    ("on_time_share", "touches on time", "share"),
    ("delivered_share", "touches delivered (on time or late)", "share"),
    ("utilisation", "CSM utilisation", "share"),
    ("backlog_end", "backlog at the end (tasks)", "count"),
    ("logo_churn", "logo churn", "share"),
    ("expected_logo_churn", "expected logo churn", "share"),
    ("grr", "GRR", "share"),
    ("nrr", "NRR", "share"),
    ("arr_end", "ARR at the end", "money"),
    ("headcount", "CSMs on average", "fte"),
    ("people_cost", "people cost", "money"),
]


def show(st, unit):
    """A MetricStats as mean [95% CI] in the metric's unit, as `cssim run` prints it
    (the interval of a share is clipped to [0, 100%])."""
    if unit == "share":
        return ci_pct(st)
    if unit == "money":
        return ci_money(st, currency)
    return ci_num(st, 1 if unit == "fte" else 0)


stats = exp.stats()
display(
    pd.DataFrame(
        [[label, *(show(stats[seg][m], unit) for seg in stats)] for m, label, unit in HEADLINE],
        columns=["metric", *stats],
    )
)

# %% [markdown]
# The closed form and the simulation answer different questions. The estimate's load
# (FTE needed / CSMs) is the work as a share of capacity; simulated utilisation is the
# time CSMs actually spent busy, after vacancies and after work that waited past its due
# date was dropped. Where the two are far apart, queues are shedding work.

# %%
for t in est.teams:
    seg = t.segments[0]
    s = stats[seg]
    print(
        f"{t.team}: closed-form load {pct(t.fte_needed / t.csms_current, 0)}; simulated "
        f"utilisation {pct(s['utilisation'].mean, 0)}, {pct(s['on_time_share'].mean, 0)} of touches on time, "
        f"{num(s['hours_delivered'].mean)} of {num(s['hours_demanded'].mean)} demanded CSM hours delivered"
    )

# %% [markdown]
# `Experiment.to_pandas("stats")` gives the same figures as a tidy DataFrame (segment x
# metric: mean, 95% CI, sd, P10/P50/P90, replications), the rows `cssim run -o
# file.csv` writes (`Experiment.rows()` has them as dicts). Shares are fractions, money
# is in the plan's currency. The spread between P10 and P90 is the range of outcomes a
# single year could bring, which is wider than the CI of the mean.

# %%
stats_df = exp.to_pandas("stats")
print(f"{len(stats_df)} rows; columns: {', '.join(stats_df.columns)}")
picked = stats_df[stats_df["metric"].isin(["grr", "nrr", "logo_churn", "arr_end"])]
picked.set_index(["segment", "metric"]).drop(columns="replications")

# %% [markdown]
# `Experiment.to_pandas()` has one row per replication and segment with every metric (and
# `to_pandas("teams")` the same per team); `to_arrow()` gives the same tables as
# `pyarrow.Table`s, e.g. for Parquet. Here, GRR replication by replication:

# %%
per_replication = exp.to_pandas()
per_replication.pivot(index="replication", columns="segment", values="grr").round(4)

# %% [markdown]
# One replication's records are DataFrames too: `simulator.simulate(scenario, i, seed)`
# returns its `Records`, and `Records.to_pandas("tasks")` (or `"accounts"`,
# `"renewals"`, `"events"`) names segments, teams, touchpoints and statuses. What became
# of each touchpoint's touches in replication 0, per segment:

# %%
records = simulator.simulate(scenario, 0, exp.root_seed)
tasks = records.to_pandas("tasks")
touches = tasks[tasks["kind"].isin(["stage_entry", "cadence", "before_renewal"])]
touches.pivot_table(
    index=["segment", "touchpoint"], columns="status", values="id", aggfunc="count", fill_value=0
)

# %% [markdown]
# ## 4. Charts
#
# `simulator.report.charts` builds each chart as a matplotlib `Figure` whose title states
# the finding; a Figure displays itself when it is the last expression of a cell (after
# `%matplotlib inline`, in the first code cell). `charts.write_charts(directory,
# charts.figures(exp))` saves the whole set as PNG and SVG for slides.
#
# **Utilisation and backlog by month**, per team: the median line and the P10-P90 band
# across replications. A team near 100% with a growing backlog is short of people.

# %%
charts.utilisation_backlog(exp)

# %% [markdown]
# **Touch delivery by touchpoint type**: the share of requested touches delivered on
# time, late or missed. Which touches slip first shows the priorities CSMs actually work
# to (escalations and renewals before cadence touches).

# %%
charts.touch_delivery(exp)

# %% [markdown]
# **The ARR bridge**: start ARR, what churn and contraction take, what expansion and new
# business add, end ARR (means over replications, all segments).

# %%
charts.arr_waterfall(exp)

# %% [markdown]
# **The ARR fan**: total ARR at each month end, median and P10-P90 across replications,
# the range of years this plan could bring.

# %%
charts.arr_fan(exp)

# %% [markdown]
# ## Next
#
# * `02_cfo_conversation`: the top tier needs 8 CSMs; the CFO offers 6. What does the cut
#   cost, which touchpoints would you change to live with it, and what does each headcount
#   buy?
# * `03_automation_vs_one_to_one`: mid-market onboarding as 1:many sessions and health
#   checks as automated digests, against today's one-to-one model.
