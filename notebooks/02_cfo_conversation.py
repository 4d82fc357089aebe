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
# # The CFO conversation: 8 CSMs or 6?
#
# The headline case of cssim. The top tier of the default plan is 50 enterprise accounts
# at 16 touchpoints a year; the capacity spreadsheet says it needs 8 CSMs. The CFO offers
# 6 (`scenarios/cfo_six.yaml`). Before that meeting a CS leader wants four things, each
# with its uncertainty:
#
# 1. what the cut saves, and how short it leaves the team on the spreadsheet's own terms;
# 2. what it costs in service (touches on time, workload) and in retention, from a
#    simulation of both headcounts on the same random numbers;
# 3. if 6 it is, which touchpoints to cut, halve, move to 1:many or automate, and what
#    that plan puts at risk (`simulator.tradeoff`, as `cssim tradeoff`);
# 4. what every headcount in between buys (`simulator.frontier`).
#
# Every figure below is computed in a code cell; the text says what to look for.
#
# **Replications.** `CSSIM_NOTEBOOK_REPLICATIONS` sets the replications of every
# experiment (20 when it is not set). Use 20 or more for the real conversation: the test
# suite executes this notebook with a small count, so its intervals are wide and a
# verdict may flip. The trade-off search is the slowest step (every candidate change is
# simulated over two contract terms). Everything here runs in this process; `compare`,
# `tradeoff` and `frontier` also take `executor=` (e.g. a
# `concurrent.futures.ProcessPoolExecutor`) to use every core.

# %%
# %matplotlib inline
import json
import math
import os
import time

import pandas as pd
from IPython.display import Markdown, display

import simulator
from simulator.analysis.compare import scaled
from simulator.frames import frontier_frame
from simulator.report import charts
from simulator.report.compare import delta_text, sentence
from simulator.report.formatting import money, num, pct

N = max(2, int(os.environ.get("CSSIM_NOTEBOOK_REPLICATIONS", "20")))
TEAM = "top"
print(f"cssim {simulator.__version__}; {N} replications per experiment")


def pp(d):
    """A paired difference of shares in percentage points: +1.2 pp [+0.4, +2.0]."""
    return delta_text(d, "pp", currency)


def money_ci(d):
    """A paired difference of money: +$28k [+11.0k, +45.0k]."""
    return delta_text(d, "money", currency)


# %% [markdown]
# ## 1. Today's plan and the offer
#
# The offer is the bundled `cfo_six.yaml`, a four-line file that `extends` the default and
# sets the top tier's team to 6. The same plan comes from an override of the default
# (`cssim ... --set segments.top.team.csms=6`); the cell checks that both agree.

# %%
today = simulator.load(None)
offer = simulator.load(simulator.bundled_scenario("cfo_six"))
override = simulator.load(None, [f"segments.{TEAM}.team.csms=6"])

currency = today.scenario.currency
team_today = today.scenario.all_teams()[TEAM]
current, offered = team_today.csms, offer.scenario.all_teams()[TEAM].csms
cost_per_csm = team_today.annual_cost_per_csm
same = offer.scenario.model_dump(exclude={"name"}) == override.scenario.model_dump(exclude={"name"})
print(f"today: {today.scenario.name} ({', '.join(today.files)})")
print(f"offer: {offer.scenario.name} ({', '.join(offer.files)})")
print(
    f"{TEAM} team: {current} CSMs today, {offered} offered, {money(cost_per_csm, currency)} a year each"
)
print(f"cfo_six.yaml and the override give the same plan: {same}")

# %% [markdown]
# ## 2. The spreadsheet's answer
#
# The closed-form estimate counts the hours the engagement model needs and the customer
# hours one CSM gives. It is what the CFO's own spreadsheet would say: the FTE the work
# needs, how short the offer leaves the team, and the hours per account each headcount
# can give against the hours each account's plan needs.

# %%
need = simulator.estimate(today.scenario).team(TEAM)
at_offer = simulator.estimate(offer.scenario).team(TEAM)
accounts = today.scenario.segments[TEAM].starting_accounts
savings = (current - offered) * cost_per_csm
demand_per_account = need.demand_hours_per_year / accounts
print(
    f"{TEAM}: {num(need.demand_hours_per_year)} h a year of customer work at "
    f"{num(need.customer_hours_per_csm)} h per CSM = {need.fte_needed:.1f} FTE -> {need.csms_needed} CSMs."
)
print(
    f"At {offered} CSMs the team is short by {at_offer.gap} on these terms; the cut saves "
    f"{money(savings, currency)} a year in people cost."
)
display(
    pd.DataFrame(
        [
            [
                n,
                num(n * need.customer_hours_per_csm),
                num(n * need.customer_hours_per_csm / accounts),
                pct(n * need.customer_hours_per_csm / need.demand_hours_per_year, 0),
            ]
            for n in (current, offered)
        ]
        + [["(the plan needs)", num(need.demand_hours_per_year), num(demand_per_account), "100%"]],
        columns=[
            "CSMs",
            "customer hours a year",
            "hours per account",
            "share of the plan's demand",
        ],
    )
)

# %% [markdown]
# ## 3. Both headcounts, simulated on the same random numbers
#
# `simulator.compare` runs replication *i* of both plans with the same random streams
# (the same accounts, risk events, requests and task hours), so the per-replication
# difference cancels the noise the two plans share. The table shows each figure at both
# headcounts, the paired difference with its 95% interval, and the half-width the same
# runs would give without pairing: the reason to compare on common random numbers.
# "Expected logo churn" and "ARR at risk" add up each renewal's churn probability rather
# than counting the accounts that happened to churn: the same quantity with far less
# noise.

# %%
started = time.perf_counter()
cmp = simulator.compare([today.scenario, offer.scenario], [f"{current} CSMs", f"{offered} CSMs"], N)
years = today.scenario.horizon_years
print(
    f"{cmp.experiments[0].replications} paired replications in {time.perf_counter() - started:.1f} s"
)

diffs = {d.metric: d for d in cmp.differences(1) if d.segment == TEAM}
SHOWN = [
    ("headcount", "CSMs on average", "count"),
    ("people_cost", "people cost a year", "money"),
    ("utilisation", "utilisation", "pp"),
    ("on_time_share", "touches on time", "pp"),
    ("expected_logo_churn", "expected logo churn", "pp"),
    ("arr_at_risk", "ARR at risk a year", "money"),
    ("grr", "GRR", "pp"),
    ("nrr", "NRR", "pp"),
]


def level(x, unit):
    return money(x / years, currency) if unit == "money" else pct(x) if unit == "pp" else f"{x:.1f}"


def delta(d, unit):
    return delta_text(scaled(d, 1 / years) if unit == "money" else d, unit, currency)


def unpaired(d, unit):
    h = d.unpaired_half_width
    return (
        money(h / years, currency)
        if unit == "money"
        else f"{100 * h:.1f} pp"
        if unit == "pp"
        else f"{h:.2f}"
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
        columns=["top tier", *cmp.labels, "difference [95% CI]", "unpaired +-"],
    )
)
print(sentence(cmp.labels[1], cmp.labels[0], TEAM, cmp.differences(1), currency, years))

# %% [markdown]
# The same differences as a DataFrame, every compared metric of every segment:
# `Comparison.to_pandas()` (`a` is today's mean, `b` the offer's, `mean` the paired
# difference b - a with its 95% interval `low`..`high`; shares are fractions, money is
# over the plan). `to_pandas("replications")` has every replication of both plans.

# %%
paired = cmp.to_pandas()
paired[paired["segment"] == TEAM].set_index("metric")[
    ["a", "b", "mean", "low", "high", "significant"]
]

# %% [markdown]
# Read the table in two halves. Service (utilisation, touches on time) reacts at once and
# clearly: the same work on fewer people waits longer in the queue. Retention (expected
# churn, ARR at risk, GRR) reacts through coverage at the next renewal, so within one
# year it moves little; its interval says whether the difference is distinguishable from
# zero at this replication count.

# %% [markdown]
# ## 4. Living with the offer: the trade-off
#
# `simulator.tradeoff(loaded, team, csms, replications)` tries every single change to the
# team's engagement model at the offered headcount: cut a touchpoint (kept in the plan as
# "skipped", so coverage counts it as missed), halve it, move it to monthly 1:many
# sessions of 10 (never renewals or executive reviews), automate it, or route more inbound
# requests to support. Each change is simulated against today's plan at today's headcount
# on the same replications and ranked by CSM hours freed per dollar of ARR put at risk; a
# greedy search combines the best until the closed form fits the offer. Plans are judged
# over at least two contract terms, because a cut shows at the renewal after it.
#
# The `frontier` argument sets the headcounts of the result's own frontier table; this
# notebook draws its frontier in section 5 instead, so it asks only for the two headcounts
# on the table.

# %%
started = time.perf_counter()
result = simulator.tradeoff(
    today, TEAM, offered, N, frontier=range(offered, current + 1, max(1, current - offered))
)
print(
    f"{len(result.candidates)} candidate changes, {result.replications} replications each, over "
    f"{result.horizon_days} days ({result.terms:.1f} contract terms), in {time.perf_counter() - started:.1f} s"
)
plan = result.plan
if plan is None:
    print(
        f"No change or combination tried fits {offered} CSMs: offer more CSMs or add changes by hand."
    )
elif not plan.changes:
    print(f"{offered} CSMs carry today's plan without changes (closed form).")
else:
    print(f"To fit {offered} CSMs: {plan.label}.")
    print(
        f"That plan needs {plan.fte:.1f} FTE (closed form), frees {num(plan.hours_freed)} CSM hours a year, "
        f"and against today's plan at {current} CSMs puts {money_ci(plan.arr_at_risk)} more ARR at risk "
        f"a year; expected logo churn {pp(plan.expected_logo_churn)}; GRR {pp(plan.grr)}."
    )

# %% [markdown]
# The candidates, best first (CSM hours freed a year per dollar of ARR put at risk). A
# candidate whose FTE is at or under the offer fits on its own.

# %%
display(
    pd.DataFrame(
        [
            [
                sc.label,
                f"{sc.fte:.1f}",
                num(sc.hours_freed),
                money_ci(sc.arr_at_risk),
                pp(sc.expected_logo_churn),
            ]
            for sc in result.candidates[:12]
        ],
        columns=[
            "change",
            "FTE",
            "hours freed a year",
            "ARR at risk a year vs today",
            "expected logo churn",
        ],
    )
)

# %% [markdown]
# The recommended plan as a partial scenario: saved as YAML with `extends: default.yaml`
# on top (what `cssim tradeoff -o plan.yaml` writes), it is a plan anyone can load,
# simulate and argue with.

# %%
print(json.dumps(result.plan_patch, indent=2))

# %% [markdown]
# **Break-even.** The cut saves a fixed amount a year. It pays while it loses fewer
# accounts a year than that amount buys at the tier's average ARR. The simulation's
# expected extra accounts lost a year, with its interval, is the number to set against it.

# %%
average_arr = result.arr / result.accounts
extra = result.expected_extra_churned
print(
    f"Cutting to {offered} saves {money(result.savings, currency)} a year: worth "
    f"{result.break_even_accounts:.1f} {TEAM} accounts at {money(average_arr, currency)} average ARR."
)
if extra is not None:
    print(
        f"With the recommended plan the simulation expects {extra.mean:+.2f} [{extra.low:+.2f}, "
        f"{extra.high:+.2f}] accounts lost a year against today's plan at {current} CSMs."
    )

# %% [markdown]
# ## 5. The frontier: what each headcount buys
#
# `simulator.frontier(scenario, team, headcounts, replications)` simulates today's plan
# (no changes to the engagement model) at each headcount, all on the same replications,
# and summarises the team: on-time share, GRR, NRR and ARR at risk a year, each with its
# 95% interval. The chart marks today's headcount and the offer.

# %%
started = time.perf_counter()
frontier_rows = simulator.frontier(today.scenario, TEAM, range(5, 11), N)
print(
    f"{len(frontier_rows)} headcounts x {N} replications in {time.perf_counter() - started:.1f} s"
)
display(
    pd.DataFrame(
        [
            [
                r["csms"],
                money(r["people_cost"], currency),
                pct(r["utilisation"]),
                f"{pct(r['on_time_share'])} [{100 * r['on_time_share_low']:.1f}, {100 * r['on_time_share_high']:.1f}]",
                f"{pct(r['grr'])} [{100 * r['grr_low']:.1f}, {100 * r['grr_high']:.1f}]",
                f"{pct(r['nrr'])} [{100 * r['nrr_low']:.1f}, {100 * r['nrr_high']:.1f}]",
                f"{money(r['arr_at_risk'], currency)} [{money(r['arr_at_risk_low'], currency)}, "
                f"{money(r['arr_at_risk_high'], currency)}]",
            ]
            for r in frontier_rows
        ],
        columns=[
            "CSMs",
            "people cost a year",
            "utilisation",
            "touches on time",
            "GRR",
            "NRR",
            "ARR at risk a year",
        ],
    )
)

# %%
charts.frontier_chart(frontier_rows, currency, marks={"today": current, "offer": offered})

# %% [markdown]
# The frontier's rows as a DataFrame (`simulator.frames.frontier_frame`), unformatted:
# shares as fractions, people cost and ARR at risk a year in the plan's currency. What
# each CSM more or fewer changes, headcount to headcount:

# %%
frontier_df = frontier_frame(frontier_rows).set_index("csms")
frontier_df[["people_cost", "on_time_share", "grr", "nrr", "arr_at_risk"]].diff().dropna()

# %% [markdown]
# ## 6. What to tell the CFO
#
# The conversation has four beats, and the cell below fills each with this run's
# numbers:
#
# * **Agree on the arithmetic.** What the cut saves, and that on the spreadsheet's own
#   terms the work needs more hours than the offered team has.
# * **Show what the cut does to service.** Utilisation and on-time touches move at once;
#   these are the customer-visible symptoms.
# * **Put retention in its place.** The cut's retention cost, paired against today,
#   with its interval; set against the break-even, in accounts.
# * **Offer a plan, not a refusal.** If the answer is 6, the engagement model has to
#   change; say which touchpoints change and what that plan puts at risk over two renewals,
#   and ask to revisit it when the renewals come in.
#
# Wording follows the intervals: a difference whose interval includes zero is reported
# as "no measurable change at this precision", not as a number.


# %%
def said(d, text, shown=pp):
    """``text`` when the difference's interval excludes zero, else a hedge with the interval."""
    return (
        text if d.significant else f"no measurable change ({shown(d)}, the interval includes zero)"
    )


cut_churn = diffs["expected_logo_churn"]
cut_accounts = scaled(cut_churn, accounts / years)
cut_risk = scaled(diffs["arr_at_risk"], 1 / years)
points = [
    f"**The arithmetic.** {offered} instead of {current} CSMs saves {money(savings, currency)} a year. "
    f"The top tier's plan is {num(need.demand_hours_per_year)} hours of customer work a year, "
    f"{need.fte_needed:.1f} FTE; {offered} CSMs give {num(offered * need.customer_hours_per_csm / accounts)} "
    f"hours per account against the {num(demand_per_account)} the plan asks for.",
    f"**Service.** Simulated, utilisation goes from {pct(diffs['utilisation'].a, 0)} to "
    f"{pct(diffs['utilisation'].b, 0)} and touches on time from {pct(diffs['on_time_share'].a, 0)} to "
    f"{pct(diffs['on_time_share'].b, 0)} ({pp(diffs['on_time_share'])}).",
    "**Retention, this year.** Expected logo churn: "
    + said(cut_churn, f"{pp(cut_churn)}, about {cut_accounts.mean:+.1f} accounts a year")
    + "; ARR at risk: "
    + said(cut_risk, f"{money_ci(cut_risk)} a year", money_ci)
    + f". Break-even: the saving is worth {result.break_even_accounts:.1f} accounts a year at "
    f"{money(average_arr, currency)} average ARR.",
]
if plan is not None and plan.changes:
    points.append(
        f"**The plan for {offered}.** {plan.label[0].upper() + plan.label[1:]}. It fits {offered} CSMs "
        f"({plan.fte:.1f} FTE by the closed form) and, judged over {result.terms:.0f} contract terms against "
        f"today's plan at {current}, ARR at risk: {said(plan.arr_at_risk, money_ci(plan.arr_at_risk) + ' a year', money_ci)}; "
        f"expected accounts lost {extra.mean:+.2f} [{extra.low:+.2f}, {extra.high:+.2f}] a year against a "
        f"break-even of {result.break_even_accounts:.1f}."
    )
elif plan is not None:
    points.append(
        f"**The plan for {offered}.** The closed form says {offered} CSMs carry today's plan unchanged."
    )
else:
    points.append(
        f"**The plan for {offered}.** No single change or combination tried fits {offered} CSMs."
    )
row_at = {r["csms"]: r for r in frontier_rows}
lo, hi = row_at.get(offered), row_at.get(current)
if lo is not None and hi is not None:
    grr_apart = lo["grr_high"] < hi["grr_low"] or hi["grr_high"] < lo["grr_low"]
    points.append(
        f"**The frontier.** Today's plan at {offered} CSMs vs {current}: touches on time "
        f"{pct(lo['on_time_share'], 0)} vs {pct(hi['on_time_share'], 0)}; GRR {pct(lo['grr'])} vs {pct(hi['grr'])}"
        + (
            ""
            if grr_apart
            else " (intervals overlap: within one year, staffing does not move GRR measurably)"
        )
        + f". Each CSM between them costs {money(cost_per_csm, currency)} a year."
    )
display(Markdown("\n".join(f"* {p}" for p in points)))
if not all(math.isfinite(d.half_width) for d in diffs.values()):
    print("Some intervals are undefined: run with more replications.")

# %% [markdown]
# ## What the numbers rest on
#
# * **The churn response is an input.** How much a late, missed or automated touch raises
#   churn (`churn.coverage_effect`, the effectiveness of automated touches, the late
#   onboarding and reassignment multipliers) decides the retention side of this
#   conversation. The simulation applies those effect sizes; it does not discover them.
#   That is where the debate with the CFO belongs, and each is one `--set` away from a
#   sensitivity run.
# * **One year understates a cut.** A touch missed this year shows at the next renewal;
#   the trade-off judges plans over two contract terms for that reason.
# * **Replications.** Re-run with `CSSIM_NOTEBOOK_REPLICATIONS=20` or more before quoting
#   any interval above.
