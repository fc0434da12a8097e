"""Charts in the workbook's house style (seaborn), shared by every notebook."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

PALETTE = ["#2F5D62", "#A7C4BC", "#DFA878", "#BA704F", "#6C4A6E", "#8FA9C7", "#C9B458", "#5E7D4F"]


def house_style() -> None:
    """Readable defaults: white grid, large labels, the project palette, no chart junk."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE, font_scale=1.05)
    plt.rcParams.update({"figure.dpi": 96, "axes.spines.top": False, "axes.spines.right": False,
                         "axes.titleweight": "bold", "axes.titlelocation": "left"})


def bar(table: pd.DataFrame, category: str, value: str, title: str, xlabel: str | None = None):
    """Horizontal bars, largest first, each labelled with its value."""
    house_style()
    ordered = table.sort_values(value, ascending=False)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(ordered) + 1.2))
    sns.barplot(data=ordered, y=category, x=value, color=PALETTE[0], ax=ax)
    ax.bar_label(ax.containers[0], fmt="%g", padding=3)
    ax.set(title=title, xlabel=xlabel or value, ylabel="")
    fig.tight_layout()
    return fig


def funnel(table: pd.DataFrame, title: str = "Brand funnel", value: str = "% of base"):
    """Funnel stages top to bottom as bars of their share of all respondents, with conversions."""
    house_style()
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(table) + 1.2))
    sns.barplot(data=table, y="stage", x=value, color=PALETTE[0], ax=ax, orient="h")
    labels = [f"{v:g}%" + (f"  ({c:g}% of previous)" if pd.notna(c) else "")
              for v, c in zip(table[value], table["conversion %"])]
    ax.bar_label(ax.containers[0], labels=labels, padding=3, fontsize=9)
    ax.set(title=title, xlabel="% of all respondents", ylabel="", xlim=(0, 130))
    fig.tight_layout()
    return fig


def heatmap(matrix: pd.DataFrame, title: str, fmt: str = "g", cmap: str = "mako_r"):
    """An annotated heatmap (e.g. code co-occurrence or a segment profile)."""
    house_style()
    size = max(5.0, 0.38 * max(matrix.shape))
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    sns.heatmap(matrix, annot=matrix.shape[0] <= 30, fmt=fmt, cmap=cmap, cbar=False, linewidths=0.5, ax=ax,
                annot_kws={"size": 7})
    ax.set(title=title, xlabel="", ylabel="")
    fig.tight_layout()
    return fig


def lines(table: pd.DataFrame, x: str, y: str, hue: str, title: str):
    """One line per `hue` value (e.g. a fit measure by k for each model)."""
    house_style()
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(data=table, x=x, y=y, hue=hue, marker="o", ax=ax)
    ax.set(title=title)
    fig.tight_layout()
    return fig


def holdout_check(table: pd.DataFrame, title: str = "Holdout: predicted against actual purchases per card",
                  xlabel: str = "Repeat purchases in the calibration period"):
    """Predicted and actual mean purchases per card in the holdout, per calibration group (the `all` row left
    out), as Fader, Hardie & Lee's conditional-expectation chart: the closer the lines, the better the fit."""
    house_style()
    groups = table.drop(index="all", errors="ignore")
    long = groups.reset_index(names="group").melt(id_vars="group", value_vars=["actual", "predicted"],
                                                  var_name="", value_name="purchases per card")
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(data=long, x="group", y="purchases per card", hue="", style="", marker="o", sort=False, ax=ax)
    ax.set(title=title, xlabel=xlabel)
    fig.tight_layout()
    return fig


def model_comparison(comparison: pd.DataFrame, min_share: float, title: str = "Candidate segmentations"):
    """Silhouette, smallest segment share and, where models have one, BIC by k, one line per model; the
    minimum share drawn as a line, so a reader sees which candidates were eligible and which won."""
    house_style()
    with_bic = comparison.dropna(subset=["bic"])
    fig, axes = plt.subplots(1, 3 if len(with_bic) else 2, figsize=(16 if len(with_bic) else 11, 4))
    hue_order = list(dict.fromkeys(comparison["model"]))  # same colour per model in every panel
    sns.lineplot(data=comparison, x="k", y="silhouette", hue="model", hue_order=hue_order, marker="o", ax=axes[0])
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    axes[0].set(title="Silhouette (higher = better separated)")
    sns.lineplot(data=comparison, x="k", y="smallest segment %", hue="model", hue_order=hue_order, marker="o",
                 ax=axes[1], legend=False)
    axes[1].axhline(100 * min_share, color=PALETTE[3], linestyle="--", linewidth=1)
    axes[1].set(title=f"Smallest segment (minimum {100 * min_share:g} %)")
    if len(with_bic):
        sns.lineplot(data=with_bic, x="k", y="bic", hue="model", hue_order=hue_order, marker="o", ax=axes[2],
                     legend=False)
        axes[2].set(title="BIC (lower = better fit for its model)", ylabel="BIC")
    for ax in axes:
        ax.set_xticks(sorted(comparison["k"].unique()))
    fig.tight_layout()
    return fig


def segment_sizes(facts: pd.DataFrame, names: dict, title: str = "Size and value of each segment",
                  size_label: str = "% of respondents", value_label: str = "% of card spend"):
    """Share of the unit beside share of card spend (when there is card spend), bars per segment."""
    house_style()
    table = facts.drop(index="total", errors="ignore")
    segments = [names.get(int(s), str(s)) for s in table.index]
    long = pd.DataFrame({"segment": segments, "measure": size_label, "%": list(table["share"])})
    if table["value_share"].notna().any():
        long = pd.concat([long, pd.DataFrame({"segment": segments, "measure": value_label,
                                              "%": list(table["value_share"].fillna(0))})])
    fig, ax = plt.subplots(figsize=(9, 0.7 * len(table) + 1.6))
    sns.barplot(data=long, y="segment", x="%", hue="measure", ax=ax, palette=PALETTE[: long["measure"].nunique()])
    for container in ax.containers:
        ax.bar_label(container, fmt="%.0f", padding=3, fontsize=9)
    ax.set(title=title, ylabel="", xlabel="%")
    ax.legend(title="", loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars, over none
    fig.tight_layout()
    return fig


def funnel_by_segment(profile: pd.DataFrame, names: dict, stages: dict[str, str],
                      title: str = "Brand funnel by segment"):
    """The funnel's stages (`variable -> stage name`, from the `funnel` role) in % per segment, beside the total."""
    house_style()
    rows = profile[profile["variable"].isin(stages) & profile["category"].eq("")].copy()
    if rows.empty:
        return None
    rows["stage"] = rows["variable"].map(stages)
    rows["who"] = rows["segment"].map(lambda s: names.get(int(s), str(s)))
    total = rows.drop_duplicates("variable").assign(who="Total", value=lambda r: r["total"])
    both = pd.concat([rows, total])
    both["%"] = 100 * both["value"]
    fig, ax = plt.subplots(figsize=(9, 4))
    sns.barplot(data=both, x="stage", y="%", hue="who", ax=ax, palette=PALETTE[: both["who"].nunique()])
    ax.set(title=title, xlabel="", ylim=(0, 100))
    ax.legend(title="", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside, over no bar
    fig.tight_layout()
    return fig


def weighted_title(title: str, weights) -> str:
    """A chart title that says "(weighted)" only when there are weights."""
    return f"{title} (weighted)" if weights is not None else title


def migration_flow(matrix: pd.DataFrame, title: str = "Between segments: then → now", min_share: float = 0.01):
    """An alluvial chart of a migration matrix (counts, groups then as rows, now as columns): each group a stacked
    bar on its side, each flow a band as wide as the units that moved; flows under `min_share` of all are left out."""
    import numpy as np
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    house_style()
    total = float(matrix.to_numpy().sum())
    left, right = matrix.sum(axis=1), matrix.sum(axis=0)
    gap = 0.01 * total
    colours = dict(zip(sorted(set(matrix.index) | set(matrix.columns)), sns.color_palette("tab20", 20) * 3))

    def stack(sizes):
        tops, y = {}, 0.0
        for name, size in sizes.items():
            tops[name] = y
            y += size + gap
        return tops

    top_left, top_right = stack(left), stack(right)
    used_left, used_right = dict.fromkeys(left.index, 0.0), dict.fromkeys(right.index, 0.0)
    fig, ax = plt.subplots(figsize=(9, 6))
    for a in matrix.index:
        for b in matrix.columns:
            n = float(matrix.loc[a, b])
            if n <= 0:
                continue
            y0, y1 = top_left[a] + used_left[a], top_right[b] + used_right[b]
            used_left[a] += n
            used_right[b] += n
            if n < min_share * total:
                continue
            xs = np.linspace(0, 1, 30)
            s = 3 * xs ** 2 - 2 * xs ** 3
            upper, lower = y0 + (y1 - y0) * s, y0 + n + (y1 - y0) * s
            verts = list(zip(0.05 + 0.9 * xs, upper)) + list(zip(0.05 + 0.9 * xs[::-1], lower[::-1]))
            ax.add_patch(PathPatch(MplPath(verts + [verts[0]], closed=True), color=colours[a], alpha=0.45, lw=0))
    for tops, sizes, x, align in ((top_left, left, 0.05, "right"), (top_right, right, 0.95, "left")):
        for name, size in sizes.items():
            ax.add_patch(plt.Rectangle((x - 0.015, tops[name]), 0.03, size, color=colours[name]))
            ax.text(x + (-0.03 if align == "right" else 0.03), tops[name] + size / 2, f"{name} ({size:,.0f})",
                    ha=align, va="center", fontsize=8)
    ax.set_xlim(-0.45, 1.45)
    ax.set_ylim(max(sum(left) , sum(right)) + gap * len(matrix), -gap)
    ax.axis("off")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def trend(table: pd.DataFrame, title: str = "Across runs", ylabel: str = "%"):
    """One line per group across runs (`run`, `group`, `value`), the legend beside the plot so it covers no data."""
    house_style()
    fig, ax = plt.subplots(figsize=(9, 4))
    sns.lineplot(data=table, x="run", y="value", hue="group", marker="o", ax=ax, sort=False)
    ax.set(title=title, xlabel="", ylabel=ylabel)
    ax.tick_params(axis="x", labelrotation=30)
    ax.legend(title="", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig
