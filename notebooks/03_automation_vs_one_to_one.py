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
# # Automation vs one-to-one in mid-market
#
# Mid-market is where scale programmes usually start: 400 accounts (growing by a quarter
# a year) on named CSMs with large books. `scenarios/automation.yaml` keeps the default
# plan and changes three mid-market touchpoints: kickoffs and onboarding sessions become
# weekly 1:many webinars, and health checks become automated usage digests.
#
# Automation buys CSM time. It costs an automation bill (small) and, possibly, retention:
# an automated touch counts in an account's coverage only at its `effectiveness`, so a
# plan that automates touches lowers coverage and, through the churn model, raises the
# churn probability at renewal. This notebook measures both sides on common random
# numbers (`simulator.compare`, as `cssim compare`), puts a value on the time freed
# (`Comparison.roi`), and checks how much the verdict rests on the effectiveness assumed.
#
# **Replications.** `CSSIM_NOTEBOOK_REPLICATIONS` sets the replications (20 when it is
# not set). Use 20 or more for a decision; the test suite executes this notebook with a
# small count, so its intervals are wide.

# %%
# %matplotlib inline
import os
import time

import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from matplotlib.figure import Figure

import simulator
from simulator.analysis.compare import scaled
from simulator.analysis.frontier import team_only
from simulator.report import charts
from simulator.report.compare import delta_text, roi_sentence, sentence
from simulator.report.formatting import money, num, pct

N = max(2, int(os.environ.get("CSSIM_NOTEBOOK_REPLICATIONS", "20")))
SEGMENT = "mid"
print(f"cssim {simulator.__version__}; {N} replications per experiment")


def pp(d):
    """A paired difference of shares in percentage points: +1.2 pp [+0.4, +2.0]."""
    return delta_text(d, "pp", currency)


def money_ci(d):
    """A paired difference of money: +$28k [+11.0k, +45.0k]."""
    return delta_text(d, "money", currency)


# %% [markdown]
# ## 1. What the automation plan changes
#
# The file `extends` the default and overrides only what differs; every number cites
# docs/assumptions.md or is marked as an assumption. Below it, the mid-market touchpoints of both
# plans side by side.

# %%
automation_path = simulator.bundled_scenario("automation")
print(automation_path.read_text())

today = simulator.load(None)
automated = simulator.load(automation_path)
currency = today.scenario.currency


def describe(tp):
    """Channel and effort of a touchpoint in a few words."""
    if tp.channel == "automated":
        return f"automated ({tp.cost_per_touch:.2f} {currency} a touch, effectiveness {tp.effectiveness:.2f})"
    if tp.channel == "one_to_many":
        return f"1:many ({tp.hours.mean:g} h sessions of up to {tp.max_attendees}, every {tp.session_every_days:g} days)"
    return f"{tp.channel} ({tp.hours.mean:g} h)"


before, after = (
    today.scenario.segments[SEGMENT].touchpoints,
    automated.scenario.segments[SEGMENT].touchpoints,
)
display(
    pd.DataFrame(
        [
            [
                name,
                describe(tp),
                describe(after[name]) if describe(after[name]) != describe(tp) else "(same)",
            ]
            for name, tp in before.items()
        ],
        columns=["mid touchpoint", "today", "automation plan"],
    )
)

# %% [markdown]
# ## 2. The closed form
#
# Before simulating: how many CSMs each plan needs for mid-market, and what the
# automation costs a year. The default plan is already short in mid-market once its new
# logos are counted.

# %%
est_today = simulator.estimate(today.scenario).segment(SEGMENT)
est_auto = simulator.estimate(automated.scenario).segment(SEGMENT)
display(
    pd.DataFrame(
        [
            [
                "CSM hours a year",
                num(est_today.demand_hours_per_year),
                num(est_auto.demand_hours_per_year),
            ],
            [
                "hours per account a year",
                num(est_today.demand_hours_per_account, 1),
                num(est_auto.demand_hours_per_account, 1),
            ],
            ["FTE needed", f"{est_today.fte_needed:.1f}", f"{est_auto.fte_needed:.1f}"],
            [
                "CSMs needed / today",
                f"{est_today.csms_needed} / {est_today.csms_current}",
                f"{est_auto.csms_needed} / {est_auto.csms_current}",
            ],
            [
                "automation cost a year",
                money(est_today.automation_cost, currency),
                money(est_auto.automation_cost, currency),
            ],
        ],
        columns=["mid-market", "today", "automation plan"],
    )
)
print(
    f"Closed form: the automation plan needs {est_today.fte_needed - est_auto.fte_needed:.1f} FTE less "
    f"({est_today.csms_needed} -> {est_auto.csms_needed} CSMs) for {money(est_auto.automation_cost - est_today.automation_cost, currency)} "
    "a year of automation."
)

# %% [markdown]
# ## 3. Both plans, simulated on the same random numbers
#
# Both plans keep today's headcount; the difference is how the same CSMs spend their
# time. `Comparison.differences(1)` gives automation minus today for every segment and
# metric, paired over replications, with the half-width the same runs would give without
# pairing.

# %%
started = time.perf_counter()
cmp = simulator.compare([today.scenario, automated.scenario], ["one-to-one", "automation"], N)
years = today.scenario.horizon_years
print(
    f"{cmp.experiments[0].replications} paired replications in {time.perf_counter() - started:.1f} s"
)

all_diffs = cmp.differences(1)
diffs = {d.metric: d for d in all_diffs if d.segment == SEGMENT}
SHOWN = [
    ("hours_demanded", "CSM hours demanded", "hours"),
    ("utilisation", "utilisation", "pp"),
    ("on_time_share", "touches on time", "pp"),
    ("automation_cost", "automation cost a year", "money"),
    ("expected_logo_churn", "expected logo churn", "pp"),
    ("arr_at_risk", "ARR at risk a year", "money"),
    ("grr", "GRR", "pp"),
    ("nrr", "NRR", "pp"),
]


def level(x, unit):
    return money(x / years, currency) if unit == "money" else pct(x) if unit == "pp" else num(x)


def delta(d, unit):
    if unit == "money":
        return money_ci(scaled(d, 1 / years))
    return pp(d) if unit == "pp" else f"{d.mean:+,.0f} [{d.low:+,.0f}, {d.high:+,.0f}]"


def unpaired(d, unit):
    h = d.unpaired_half_width
    return (
        money(h / years, currency)
        if unit == "money"
        else f"{100 * h:.1f} pp"
        if unit == "pp"
        else num(h)
    )


display(
    pd.DataFrame(
        [
            [
                label,
                level(diffs[m].a, unit),
                level(diffs[m].b, unit),
                delta(diffs[m], unit),
                unpaired(diffs[m], unit),
            ]
            for m, label, unit in SHOWN
        ],
        columns=["mid-market", *cmp.labels, "difference [95% CI]", "unpaired +-"],
    )
)
print(sentence(cmp.labels[1], cmp.labels[0], SEGMENT, all_diffs, currency, years))
others = sorted({d.segment for d in all_diffs} - {SEGMENT})
largest = max(abs(d.mean) for d in all_diffs if d.segment != SEGMENT)
print(f"Largest difference in the other segments ({', '.join(others)}): {largest:g}")


# %% [markdown]
# `Comparison.to_pandas()` has the same paired differences as a DataFrame; here the
# other segments, which the change leaves alone: their differences should be zero or
# within noise (`significant` False).

# %%
paired = cmp.to_pandas()
paired[(paired["segment"] != SEGMENT) & paired["metric"].isin(["on_time_share", "grr"])]
# %% [markdown]
# The other segments do not move at all: teams do not share staff, and under common
# random numbers an unchanged segment draws exactly the same accounts, events and task
# hours in both plans. Every difference is the automation's.

# %% [markdown]
# ## 4. What the time is worth, and what it costs
#
# `Comparison.roi(1)` turns the CSM hours the plan no longer demands into FTE (at the
# customer hours one CSM gives a year) and values them at the team's cost per CSM, then
# sets them against the extra automation spend and the extra ARR at risk, each a year
# with a paired interval. The time is only money if it is used: not hiring the CSM the
# growth asks for, moving CSMs to other accounts, or spending it on the touches that
# were running late.

# %%
roi = {r.segment: r for r in cmp.roi(1)}[SEGMENT]
display(
    pd.DataFrame(
        [
            [
                "FTE freed",
                f"{roi.fte_freed.mean:.2f} [{roi.fte_freed.low:.2f}, {roi.fte_freed.high:.2f}]",
            ],
            ["value of the time freed", money_ci(roi.value_freed)],
            ["extra automation spend", money_ci(roi.automation_cost)],
            ["net saving (time less automation)", money(roi.net_saving, currency)],
            ["extra ARR at risk", money_ci(roi.arr_at_risk)],
        ],
        columns=["a year", "mean [95% CI]"],
    )
)
print(roi_sentence(cmp.labels[1], roi, currency))

# %% [markdown]
# ## 5. Charts
#
# The paired differences for mid-market with their 95% intervals: service and retention
# in percentage points on the left, money a year on the right. A bar whose interval
# crosses zero is not distinguishable from no change at this replication count.


# %%
def differences_chart(diffs, roi):
    """Paired differences (automation - today) with 95% CIs, built without pyplot."""
    fig = Figure(figsize=(12, 4.8), layout="constrained")
    left, right = fig.subplots(1, 2)
    shares = [
        ("touches on time", diffs["on_time_share"]),
        ("utilisation", diffs["utilisation"]),
        ("expected logo churn", diffs["expected_logo_churn"]),
        ("GRR", diffs["grr"]),
        ("NRR", diffs["nrr"]),
    ]
    moneys = [
        ("value of time freed", roi.value_freed),
        ("automation spend", roi.automation_cost),
        ("ARR at risk", roi.arr_at_risk),
    ]
    for ax, rows, k, unit in (
        (left, shares, 100.0, "percentage points"),
        (right, moneys, 1e-3, f"{currency} thousand a year"),
    ):
        y = np.arange(len(rows))[::-1]
        mean = np.array([d.mean for _, d in rows]) * k
        err = np.array([[d.mean - d.low for _, d in rows], [d.high - d.mean for _, d in rows]]) * k
        colours = ["#2b6cb0" if d.significant else "#a0aec0" for _, d in rows]
        ax.barh(y, mean, xerr=err, color=colours, capsize=4)
        ax.axvline(0, color="#4a5568", linewidth=0.8)
        ax.set_yticks(y, [label for label, _ in rows])
        ax.set_xlabel(f"automation - today ({unit})")
        ax.spines[["top", "right"]].set_visible(False)
    left.set_title("Service and retention", loc="left")
    right.set_title("Money", loc="left")
    title = (
        f"Automating mid-market frees {roi.fte_freed.mean:.1f} FTE ({money(roi.value_freed.mean, currency)} a year) "
        f"for {money(roi.arr_at_risk.mean, currency)} more ARR at risk"
    )
    fig.suptitle(title.replace("$", r"\$"), x=0.01, ha="left", fontweight="bold")
    fig.text(
        0.01,
        -0.02,
        f"{N} paired replications; bars: mean, whiskers: 95% CI; grey: interval includes zero.",
        fontsize=9,
        color="#718096",
    )
    return fig


differences_chart(diffs, roi)

# %% [markdown]
# Touch delivery in both plans (all segments; the mid-market rows are the ones that
# change): automated digests are sent on time by definition, and the webinars and the
# touches still delivered one-to-one start sooner because the queue is shorter.

# %%
for exp in cmp.experiments:
    display(charts.touch_delivery(exp))

# %% [markdown]
# ## 6. How much rests on effectiveness?
#
# The retention cost comes from one assumption: an automated health check counts as
# `effectiveness` of a touch in coverage (0.45 in the file; docs/assumptions.md's range is
# 0.3-0.6). The cell re-runs the comparison at both ends of that range. To keep it quick
# it simulates the mid-market segment alone (teams do not interact); its random draws
# differ from the full runs above, so its figures differ from section 3 within their
# intervals.

# %%
EFFECTIVENESS = (0.3, 0.45, 0.6)
base = team_only(today.scenario, SEGMENT)
variants = [
    team_only(
        simulator.load_scenario(
            automation_path, [f"segments.{SEGMENT}.touchpoints.health_check.effectiveness={e}"]
        ),
        SEGMENT,
    )
    for e in EFFECTIVENESS
]
started = time.perf_counter()
sens = simulator.compare(
    [base, *variants], ["today", *(f"effectiveness {e}" for e in EFFECTIVENESS)], N
)
print(f"{len(variants) + 1} plans x {N} replications in {time.perf_counter() - started:.1f} s")
sens_rows = []
for i, e in enumerate(EFFECTIVENESS, start=1):
    d = {x.metric: x for x in sens.differences(i) if x.segment == SEGMENT}
    r = {x.segment: x for x in sens.roi(i)}[SEGMENT]
    sens_rows.append((e, d, r))
display(
    pd.DataFrame(
        [
            [
                f"{e:.2f}",
                pp(d["expected_logo_churn"]),
                money_ci(r.arr_at_risk),
                money(r.net_saving, currency),
                "pays for itself"
                if r.arr_at_risk.high < r.net_saving
                else "costs more than it saves"
                if r.arr_at_risk.low > r.net_saving
                else "too close to call",
            ]
            for e, d, r in sens_rows
        ],
        columns=[
            "health check effectiveness",
            "expected logo churn",
            "ARR at risk a year",
            "net saving a year",
            "verdict",
        ],
    )
)

# %% [markdown]
# ## What automation buys and what it costs
#
# The cell below states the trade in this run's numbers. In words:
#
# * **It buys time.** The CSM hours no longer demanded are FTE the growing segment does
#   not have to hire, and a shorter queue for the touches still delivered one-to-one.
# * **It costs little in cash.** Automated digests cost cents a touch; the webinars take
#   a CSM for a couple of hours a week whoever attends.
# * **It may cost retention.** Coverage credits an automated touch at its effectiveness,
#   so the churn model raises the renewal hazard of every account whose health checks are
#   now digests. Whether the trade pays turns on that effectiveness and on the coverage
#   effect in `churn:`, both inputs: test them on your own data before scaling the
#   programme.

# %%
fte, risk = roi.fte_freed, roi.arr_at_risk
verdict = (
    "pays for itself"
    if risk.high < roi.net_saving
    else "costs more in ARR at risk than it saves"
    if risk.low > roi.net_saving
    else "is too close to call at this replication count"
)
lines = [
    f"* **Time:** {fte.mean:.1f} FTE [{fte.low:.1f}, {fte.high:.1f}] a year freed, worth {money(roi.value_freed.mean, currency)} "
    f"at {money(today.scenario.all_teams()[today.scenario.team_name(SEGMENT)].annual_cost_per_csm, currency)} a CSM; "
    f"utilisation {pct(diffs['utilisation'].a, 0)} -> {pct(diffs['utilisation'].b, 0)}, touches on time "
    f"{pct(diffs['on_time_share'].a, 0)} -> {pct(diffs['on_time_share'].b, 0)}.",
    f"* **Cash:** {money(roi.automation_cost.mean, currency)} a year of automation.",
    f"* **Retention:** expected logo churn {pp(diffs['expected_logo_churn'])}; ARR at risk {money_ci(risk)} a year.",
    f"* **Verdict:** net of automation the time is worth {money(roi.net_saving, currency)} a year; against the ARR at "
    f"risk, automation {verdict}. Across effectiveness "
    f"{EFFECTIVENESS[0]} to {EFFECTIVENESS[-1]}, the extra ARR at risk is "
    + ", ".join(f"{money(r.arr_at_risk.mean, currency)} at {e}" for e, _, r in sens_rows)
    + " a year (mid-market alone).",
]
display(Markdown("\n".join(lines)))
