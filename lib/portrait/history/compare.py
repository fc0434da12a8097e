"""What changed since an earlier run: sizes with intervals and tests, traits whose index moved, migration between
RFM segments and between data-driven segments, and the few sentences the report opens with.

Sizes of data-driven segments are compared through the earlier run's typing tool, applied to both runs' units:
one classifier on both sides, so a change in size is a change in the people, not in the clustering (a new k-means
on a new sample moves its borders). Without a typing tool (a loyalty-only study) the sizes of the matched segments
are compared. Every size and trait test is a two-proportion z-test on effective bases (weights' Kish base). The tests
form three families — sizes of data-driven segments, sizes of RFM segments, traits — each corrected on its own as
the study chooses (Holm by default), so in a run without any change each family reports one with probability at
most `alpha`. The card base is a census read twice: its shares are tested
as if the two runs were independent samples, which, the same cards being in both, is conservative.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score
from statsmodels.stats.multitest import multipletests

from portrait import stats

CORRECTIONS = {"none": None, "bonferroni": "bonferroni", "holm": "holm"}
FAMILY_ORDER = {"Segment": 0, "RFM segment": 1, "Trait": 2}


@dataclass
class Changes:
    since: str                            # the earlier run's date (UTC)
    compared_with: str | None
    alpha: float
    correction: str
    sizes: pd.DataFrame                   # family, group, segment, then %, now %, change, interval, p, p adjusted
    traits: pd.DataFrame                  # segment, trait, then %, now %, index then, index now, p, p adjusted
    rfm_migration: pd.DataFrame | None = None      # cards: earlier RFM segment (rows) x now (columns)
    segment_flow: pd.DataFrame | None = None       # units: earlier tool's segment (rows) x this run's segment
    agreement: dict = field(default_factory=dict)  # classify (earlier tool) against re-segment (this run)
    identity: pd.DataFrame | None = None           # step 04's matching of segments, when it had an earlier run
    names: dict = field(default_factory=dict)
    panel: pd.DataFrame | None = None              # units in both runs (by pseudonymous key): segment then x now

    def significant(self) -> pd.DataFrame:
        """Every change that passed its corrected test: segment sizes, then RFM sizes, then traits, each family's
        largest first."""
        parts = [self.sizes.assign(kind="size"), self.traits.assign(kind="trait", family="Trait")]
        frame = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else \
            pd.DataFrame(columns=["kind", "family", "significant", "change"])
        frame = frame[frame["significant"].astype(bool)].copy()
        frame["order"] = frame["family"].map(FAMILY_ORDER).fillna(len(FAMILY_ORDER))
        frame["size"] = frame["change"].abs()
        return frame.sort_values(["order", "size"], ascending=[True, False]).drop(columns=["order", "size"])

    def headlines(self, per_family: int = 3) -> list[dict]:
        """The changes that passed the tests, the `per_family` largest of each family, each a label key of
        report_labels.yml and its numbers; `no_change` alone when none did."""
        lines = []
        for row in self.significant().groupby("family", sort=False).head(per_family).to_dict("records"):
            numbers = {k: _signed(row[k]) if k in ("change", "low", "high") else _plain(row[k])
                       for k in ("then", "now", "change", "low", "high")}
            numbers["p"] = f"{row['p_adjusted']:.2g}"
            if row["kind"] == "size":
                family = "family_rfm" if row["family"] == "RFM segment" else "family_segment"
                lines.append({"key": "change_size", "family": family, "group": row["group"],
                              "unit": "customers" if row["unit"] != "respondents" else "respondents", **numbers})
            else:
                lines.append({"key": "change_trait", "group": row["group"], "trait": row["trait"], **numbers,
                              "index_then": f"{row['index_then']:.0f}", "index_now": f"{row['index_now']:.0f}"})
        for row in (self.identity.to_dict("records") if self.identity is not None else []):
            if row["status"] == "emerged":
                # Numbers come back as floats from a table with gaps (a vanished segment has none): say them whole.
                number = int(row["number"])
                lines.append({"key": "change_emerged", "number": number, "name": self.names.get(number, str(number))})
            elif row["status"] == "vanished":
                lines.append({"key": "change_vanished", "number": int(row["earlier segment"]),
                              "name": row["earlier name"]})
        return lines or [{"key": "no_change", "alpha": self.alpha, "correction": self.correction, "tests": self.tests}]

    def sentences(self, labels: dict | None = None) -> list[str]:
        """The headlines in the report's words (`labels` of one language; English by default)."""
        if labels is None:
            from portrait.report.report import labels as report_labels
            labels = report_labels("en")
        out = []
        for line in self.headlines():
            fields = {k: v for k, v in line.items() if k != "key"}
            if "family" in fields:
                fields["family"], fields["unit"] = labels[fields["family"]], labels[f"of_{fields['unit']}"]
            if "correction" in fields:
                fields["correction"] = labels[f"correction_{fields['correction']}"]
            out.append(labels[line["key"]].format(**fields))
        return out

    @property
    def tests(self) -> int:
        return int(self.sizes["p"].notna().sum() + self.traits["p"].notna().sum())

    def to_json(self) -> dict:
        import json

        def records(frame):
            return json.loads(frame.to_json(orient="records")) if frame is not None else None

        def matrix(frame):
            return json.loads(frame.to_json(orient="index")) if frame is not None else None

        return {"compared_with": self.compared_with, "since": self.since, "alpha": self.alpha,
                "correction": self.correction, "tests": self.tests, "headlines": self.sentences(),
                "significant": int(len(self.significant())), "agreement": self.agreement,
                "sizes": records(self.sizes), "traits changed": records(self.traits[self.traits["significant"]]),
                "rfm_migration": matrix(self.rfm_migration), "segment_flow": matrix(self.segment_flow),
                "panel": matrix(self.panel)}


def _shares(labels: pd.Series, weights: pd.Series) -> tuple[pd.Series, float]:
    keep = labels.notna()
    labels, weights = labels[keep], weights[keep].astype("float64")
    return weights.groupby(labels.to_numpy()).sum() / weights.sum(), stats.effective_base(weights)


def size_changes(then_labels, then_weights, now_labels, now_weights, family: str, unit: str, names: dict) -> pd.DataFrame:
    a, n_a = _shares(then_labels, then_weights)
    b, n_b = _shares(now_labels, now_weights)
    rows = []
    for group in sorted(set(a.index) | set(b.index), key=str):
        row = stats.share_difference(float(a.get(group, 0.0)), n_a, float(b.get(group, 0.0)), n_b)
        rows.append({"family": family, "group": names.get(group, str(group)), "segment": group, "unit": unit,
                     "base then": round(n_a, 1), "base now": round(n_b, 1), **row})
    return pd.DataFrame(rows)


def trait_changes(then: pd.DataFrame, now: pd.DataFrame, names: dict, min_base: int = 30) -> pd.DataFrame:
    """Per segment present in both profiles, every share (a category, or a yes/no share) with at least `min_base`
    answers both times: then and now, index then and now, and the test of the segment's share on effective bases."""
    then, now = _with_effective_base(then), _with_effective_base(now)
    columns = ["segment", "variable", "category", "label", "value", "total", "index", "base", "effective_base"]
    keys = ["segment", "variable", "category"]
    joined = then[columns].merge(now[columns], on=keys, suffixes=(" then", " now"))
    share = (joined["category"] != "") | joined["label then"].str.contains(r"\(share", regex=True)
    joined = joined[share & (joined["base then"] >= min_base) & (joined["base now"] >= min_base)]
    rows = []
    for r in joined.to_dict("records"):
        scale = 100.0 if r["category"] != "" else 1.0   # category rows hold %, yes/no shares 0-1
        change = stats.share_difference(float(r["value then"]) / scale, float(r["effective_base then"]),
                              float(r["value now"]) / scale, float(r["effective_base now"]))
        trait = f"{r['label now']}: {r['category']}" if r["category"] != "" else r["label now"]
        rows.append({"segment": int(r["segment"]), "group": names.get(int(r["segment"]), str(r["segment"])),
                     "variable": r["variable"], "trait": trait, **change, "index_then": r["index then"],
                     "index_now": r["index now"]})
    return pd.DataFrame(rows, columns=["segment", "group", "variable", "trait", "then", "now", "change", "low", "high",
                                       "p", "index_then", "index_now"])


def _with_effective_base(profile: pd.DataFrame) -> pd.DataFrame:
    """A profile written before effective bases were kept counts its answers as the base."""
    return profile if "effective_base" in profile else profile.assign(effective_base=profile["base"].astype(float))


def correct(frames: list[pd.DataFrame], alpha: float, correction: str) -> list[pd.DataFrame]:
    """One family of tests over every frame: adjusted p and `significant`, in place of each frame's rows."""
    if correction not in CORRECTIONS:
        from portrait.errors import PortraitError
        raise PortraitError(f"change_correction = {correction!r}: use one of {', '.join(CORRECTIONS)}.")
    p = pd.concat([f["p"] for f in frames], ignore_index=True) if frames else pd.Series(dtype=float)
    adjusted = pd.Series(np.nan, index=p.index)
    tested = p.notna()
    if tested.any():
        method = CORRECTIONS[correction]
        adjusted[tested] = multipletests(p[tested], alpha=alpha, method=method)[1] if method else p[tested]
    out, start = [], 0
    for frame in frames:
        part = adjusted.iloc[start:start + len(frame)].to_numpy()
        out.append(frame.assign(p_adjusted=part, significant=part < alpha))
        start += len(frame)
    return out


def migration(then: pd.DataFrame, now: pd.DataFrame, key: str, column: str) -> pd.DataFrame:
    """Counts of units by their group then (rows) and now (columns), matched on a pseudonymous key; units only
    then are `(gone)`, only now `(new)`."""
    joined = then[[key, column]].merge(now[[key, column]], on=key, how="outer", suffixes=(" then", " now"))
    a = joined[f"{column} then"].astype("string").fillna("(new)")
    b = joined[f"{column} now"].astype("string").fillna("(gone)")
    return pd.crosstab(a.rename("then"), b.rename("now"))


def compare(then, now, identity=None, alpha: float = 0.05, correction: str = "holm", min_base: int = 30) -> Changes:
    """Everything that changed between two snapshots (history.snapshot): three families of tests (segment sizes,
    RFM segment sizes, traits), each corrected on its own."""
    names = {**{int(k): v for k, v in then.names.items()}, **{int(k): v for k, v in now.names.items()}}
    unit = str(now.meta.get("unit", "respondents"))
    sizes, flow, agreement = [], None, {}
    typed_now = _typed_by(then, now)
    if typed_now is not None:
        typed_then = then.units["typed"] if "typed" in then.units else pd.Series(dtype="Int64")
        if typed_now.notna().any() and typed_then.notna().any():
            sizes.append(size_changes(typed_then, then.units["weight"], typed_now, now.units["weight"],
                                      "Segment", unit, names).assign(through="the earlier run's typing tool"))
            both = typed_now.notna()
            flow = pd.crosstab(typed_now[both].rename("earlier typing tool"),
                               now.units["segment"][both].rename("this run"))
            agreement = {"units": int(both.sum()),
                         "same segment %": round(100 * float((typed_now[both] == now.units["segment"][both]).mean()), 1),
                         "adjusted Rand index": round(float(adjusted_rand_score(typed_now[both], now.units["segment"][both])), 3)}
    if not sizes:  # no typing tool: the matched segments themselves
        sizes.append(size_changes(then.units["segment"], then.units["weight"], now.units["segment"],
                                  now.units["weight"], "Segment", unit, names).assign(through="each run's own segments"))
    rfm_moves = None
    if then.rfm is not None and now.rfm is not None:
        ones_then, ones_now = pd.Series(1.0, index=then.rfm.index), pd.Series(1.0, index=now.rfm.index)
        sizes.append(size_changes(then.rfm["rfm_segment"], ones_then, now.rfm["rfm_segment"], ones_now,
                                  "RFM segment", "card customers", {}).assign(through="card key (census)"))
        rfm_moves = migration(then.rfm, now.rfm, "card_key", "rfm_segment")
    traits = trait_changes(*_profiles_to_compare(then, now), names, min_base)
    # Three families, each corrected on its own: segment sizes, RFM segment sizes, traits.
    sizes = [correct([frame], alpha, correction)[0] for frame in sizes]
    size_table = pd.concat(sizes, ignore_index=True)
    traits = correct([traits], alpha, correction)[0]
    return Changes(then.date, then.run_id, alpha, correction, size_table, traits, rfm_moves, flow, agreement,
                   identity, names, _panel(then.units, now.units))


def _typed_by(then, now) -> pd.Series | None:
    """This run's units as the earlier run's typing tool assigns them: classified now (answers in memory), or as the
    run kept them in its snapshot when it was compared with that same earlier run."""
    if then.tool is not None and now.answers is not None:
        from portrait.history.snapshot import classify

        return classify(then.tool, now.answers)
    if "typed_earlier" in now.units and now.meta.get("typed_earlier_by") == then.run_id:
        return now.units["typed_earlier"].astype("Int64")
    return None


def _panel(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame | None:
    """Migration between data-driven segments of the units found in both runs by their pseudonymous key (cards in a
    loyalty-only study, people reached through their key in a survey); None when nobody is in both."""
    for key in ("card_key", "person_key"):
        if key in then and key in now:
            a, b = then.dropna(subset=[key]), now.dropna(subset=[key])
            a, b = a.drop_duplicates(key), b.drop_duplicates(key)
            joined = a[[key, "segment"]].merge(b[[key, "segment"]], on=key, suffixes=(" then", " now"))
            if len(joined):
                return pd.crosstab(joined["segment then"].rename("then"), joined["segment now"].rename("now"))
    return None


def _profiles_to_compare(then, now) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The earlier run's units and this run's, both as the earlier run's typing tool assigns them; without those
    profiles, each run's own segments (those kept from one run to the next)."""
    if then.typed_profiles is not None and now.by_earlier is not None:
        mine = now.by_earlier[now.by_earlier["tool"] == then.run_id]
        if len(mine):
            return then.typed_profiles, mine.drop(columns="tool")
    kept = set(then.profiles["segment"].astype(int)) & set(now.profiles["segment"].astype(int))
    return then.profiles[then.profiles["segment"].isin(kept)], now.profiles[now.profiles["segment"].isin(kept)]


def trend(snapshots: list, measures=("share %", "value share %", "NPS")) -> pd.DataFrame:
    """The headline measures of every snapshot given (oldest first), one row per run, measure and segment."""
    rows = []
    for snap in snapshots:
        metrics = snap.metrics[snap.metrics["measure"].isin(measures)]
        for r in metrics.itertuples():
            rows.append({"run": _when(snap), "run_id": snap.run_id or "this run", "measure": r.measure,
                         "segment": int(r.segment), "group": r.group, "value": r.value})
    return pd.DataFrame(rows, columns=["run", "run_id", "measure", "segment", "group", "value"])


def _when(snap) -> str:
    """A run's label on a trend axis: its UTC date and time to the minute (runs of one day stay apart)."""
    return str(snap.meta.get("captured", ""))[:16].replace("T", " ") or "this run"


def _plain(value: float) -> str:
    return f"{value:.1f}"


def _signed(value: float) -> str:
    return f"{value:+.1f}"


@dataclass
class History:
    """This run's snapshot, the earlier one it is compared with (None: the first run) and what changed."""
    now: object
    earlier: object | None
    changes: Changes | None
    runs: list                               # every earlier snapshot, oldest first, for the trend

    def summary(self, labels: dict | None = None) -> str:
        if self.changes is None:
            return "no earlier run of this study to compare with: this run starts its history"
        return "\n".join(self.changes.sentences(labels))

    def trend(self, measure: str = "share %") -> pd.DataFrame:
        """One measure across every run and this one; data-driven segments under this run's names (their numbers
        are kept from run to run)."""
        table = trend([*self.runs, self.now], (measure,))
        names = {int(k): v for k, v in self.now.names.items()}
        table["group"] = [names.get(s, g) if s >= 0 else g for s, g in zip(table["segment"], table["group"])]
        return table

    def for_report(self, labels: dict) -> dict | None:
        """The report's opening section: title, basis, sentences and charts (flow between RFM segments, trend)."""
        if self.changes is None:
            return None
        from portrait import plots
        from portrait.report.report import chart

        c = self.changes
        charts = []
        for measure, label in (("share %", "trend"), ("value share %", "trend_value"), ("NPS", "trend_nps")):
            table = self.trend(measure)
            if len(table):
                charts.append(chart(plots.trend(table, labels[label], "NPS" if measure == "NPS" else "%"), labels[label]))
        if c.rfm_migration is not None:
            charts.append(chart(plots.migration_flow(c.rfm_migration, labels["migration"]), labels["migration"]))
        return {"title": labels["changed_since"].format(date=c.since),
                "basis": labels["changed_basis"].format(date=c.since, run=c.compared_with,
                                                        correction=labels[f"correction_{c.correction}"],
                                                        tests=c.tests, alpha=c.alpha),
                "sentences": c.sentences(labels), "charts": charts}


def since_earlier(study, compare_to: str = "previous", alpha: float = 0.05, correction: str = "holm",
                  min_base: int = 30) -> History:
    """This run (the study's processed outputs) against the earlier run `compare_to` names in its history."""
    import json
    import os

    from portrait.history import runs, snapshot
    from portrait.io import catalog

    now = snapshot.capture(study)
    folder = runs.reports_folder(study)
    earlier_run = runs.previous(folder, compare_to)
    under_way = os.environ.get(runs.RUN_ENV)
    history = [snapshot.load(r["folder"] / runs.SNAPSHOT) for r in runs.with_snapshot(folder)
               if r.get("run_id") != under_way]
    if earlier_run is None:
        return History(now, None, None, history)
    earlier = next(snap for snap in history if snap.run_id == earlier_run["run_id"])  # loaded once, above
    choice = json.loads(study.path(catalog.SEGMENTATION).read_text(encoding="utf-8"))
    recorded = choice.get("identity") or {}
    identity = (pd.DataFrame(recorded["segments"]) if recorded.get("compared_with") == earlier.run_id else None)
    changes = compare(earlier, now, identity, alpha, correction, min_base)
    return History(now, earlier, changes, history)


def save(study, history: History) -> pd.DataFrame:
    """comparison.json: the run compared with and what changed (an empty comparison on a first run)."""
    from portrait.io import atomic, catalog

    body = history.changes.to_json() if history.changes else {"compared_with": None, "headlines": []}
    atomic.write_json(body, study.path(catalog.COMPARISON))
    return pd.DataFrame([{"output": catalog.COMPARISON.file, "items": len(body["headlines"])}])
