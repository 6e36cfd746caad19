"""Plot Flatness Lab and PyTorch results of the classic experiment in one chart per figure.

    /usr/bin/python3 tools/reference/compare.py --flatness-lab lab.json --pytorch torch.json \
        --output docs/validation [--label "seed 0"]

Each input is a results JSON (GET /api/experiments/{id}/results, or classic.py's output).
With --measure curvature, both inputs must be two-sided and the charts and table show the
curvature part ½[L(θ+εd) + L(θ−εd)] − L(θ) instead of the one-sided increase.

Writes <output>-over-vs-under.png and <output>-natural-vs-random.png (loss increase against
ε, mean ± population std over runs, solid lines for Flatness Lab and dashed for PyTorch) and
prints a Markdown table of per-group epochs, training accuracy, baseline loss and loss
increase per ε. Needs python3-matplotlib.
"""

import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FIGURES = {"over-vs-under": ["over-natural", "under-natural"], "natural-vs-random": ["over-natural", "over-random"]}
LABELS = {"increase": "loss increase L(θ + ε·d) − L(θ)", "curvature": "½[L(θ+εd) + L(θ−εd)] − L(θ)"}
TITLES = {"increase": "Loss increase", "curvature": "Curvature part"}
COLORS = {"over-natural": "#1f77b4", "under-natural": "#ff7f0e", "over-random": "#d62728"}


def groups(results):
    return {group["key"]: group for group in results["groups"]}


def value(point, measure):
    return point if measure == "increase" else point[measure]


def plot(sources, keys, path, measure):
    figure, axes = plt.subplots(figsize=(9, 5.6), dpi=100)
    for name, results, style in sources:
        by_key = groups(results)
        for key in keys:
            points = by_key[key]["lossIncrease"]
            axes.errorbar([p["epsilon"] for p in points], [value(p, measure)["mean"] for p in points],
                          yerr=[value(p, measure)["std"] for p in points], linestyle=style, marker="o", capsize=4,
                          color=COLORS[key], alpha=0.9 if style == "-" else 0.6, label=f"{name}: {key}")
    axes.set_xscale("log")
    axes.axhline(0.0, color="gray", linewidth=0.8)
    axes.set_xlabel("ε (L2 norm of the perturbation)")
    axes.set_ylabel(LABELS[measure])
    axes.set_title(f"{TITLES[measure]}, mean ± population std over runs")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def table(sources, measure):
    symbol = "ΔL" if measure == "increase" else "c"
    print("| framework | group | epochs | train accuracy | baseline loss | " +
          " | ".join(f"{symbol} at ε={p['epsilon']}" for p in sources[0][1]["groups"][0]["lossIncrease"]) + " |")
    print("| --- | --- | --- | --- | --- | " + " | ".join("---:" for _ in sources[0][1]["groups"][0]["lossIncrease"]) + " |")
    for name, results, _ in sources:
        for group in results["groups"]:
            runs = group["runs"]
            epochs = ", ".join(str(run["epochsTrained"]) for run in runs)
            accuracy = ", ".join(f"{run['finalTrainAccuracy']:.3f}" for run in runs)
            baseline = ", ".join(f"{run['baselineLoss']:.4f}" for run in runs)
            increases = " | ".join(f"{value(p, measure)['mean']:.2e} ± {value(p, measure)['std']:.1e}"
                                   for p in group["lossIncrease"])
            print(f"| {name} | {group['key']} | {epochs} | {accuracy} | {baseline} | {increases} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flatness-lab", required=True)
    parser.add_argument("--pytorch", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--label", default="")
    parser.add_argument("--measure", choices=["increase", "curvature"], default="increase",
                        help="curvature needs two-sided results from both frameworks")
    args = parser.parse_args()

    suffix = f" ({args.label})" if args.label else ""
    with open(args.flatness_lab) as handle:
        lab = json.load(handle)
    with open(args.pytorch) as handle:
        torch_results = json.load(handle)
    sources = [(f"Flatness Lab{suffix}", lab, "-"), (f"PyTorch{suffix}", torch_results, "--")]
    for figure, keys in FIGURES.items():
        plot(sources, keys, f"{args.output}-{figure}.png", args.measure)
    table(sources, args.measure)


if __name__ == "__main__":
    main()
