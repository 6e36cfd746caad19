"""Benchmark the classic experiment in Flatness Lab against the PyTorch reference on this machine.

    mvn -B -DskipTests package
    /usr/bin/python3 tools/bench/classic_vs_pytorch.py [--reduced] [--repetitions 1] [--threads 2]

One invocation runs, for each repetition and on the same data:
  (a) the classic experiment through Flatness Lab's API: a fresh service from the built jar
      with its own data folder, POST {} (or the reduced spec), poll until it finishes;
  (b) the PyTorch reference, tools/reference/classic.py, on the training subset and random
      labels that (a) used, with --threads threads;
  (c) an sgemm probe in both frameworks: C = A·B with A 1000×5000 and B 5000×5000;
  (d) the levers probe: one SGD step at batch 64 (DL4J's fit and the hand-written step) and
      one loss over 1000 examples of 784-5000-5000-10.
It prints a Markdown table: per-phase wall time (training and flatness per group, snapshot
persistence), totals, the ratio to PyTorch, achieved GFLOP/s per phase and its fraction of
sgemm, and peak memory. With several repetitions, each cell is the median with the range.

FLOPs are counted as 2 per multiply-add of the dense layers: a forward pass over n examples
of a network with P parameters is 2·n·P, a training step 6·n·P (forward, backward to the
activations and to the weights). Training counts the epochs each run trained; flatness counts
every loss evaluation (Flatness Lab: two baselines, float32 and float64, plus directions ·
|ε| · sides; PyTorch: one baseline plus directions · |ε|). Bias additions and activations are
not counted.

--reduced runs the same code paths with 1 run per group, 2 epochs and 2 directions, and
finishes in under 3 minutes. Only loopback is used.
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GROUPS = ["over-natural", "under-natural", "over-random"]
REDUCED = {"runsPerGroup": 1, "training": {"maxEpochs": 2}, "flatness": {"directions": 2}}
EPSILON_COUNT = 5


def request(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"Content-Type": "application/json"}
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as response:
        return json.load(response)


def metric(base, name, tag=None):
    query = f"?tag={tag}" if tag else ""
    try:
        return request(f"{base}/actuator/metrics/{name}{query}")["measurements"][0]["value"]
    except OSError:
        return None


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def run_flatness_lab(args, spec, folder):
    base = f"http://127.0.0.1:{args.port}"
    log_path = os.path.join(folder, "service.log")
    command = ["java", "-jar", args.jar, f"--server.port={args.port}",
               f"--flatnesslab.data-directory={os.path.join(folder, 'data')}"]
    with open(log_path, "w") as log:
        service = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.time() + 180
        while True:
            try:
                request(f"{base}/actuator/health")
                break
            except OSError:
                if time.time() > deadline or service.poll() is not None:
                    raise SystemExit(f"the service did not start; see {log_path}")
                time.sleep(1)

        started = time.time()
        experiment = request(f"{base}/api/experiments", spec)
        peak_heap, peak_off_heap = 0.0, 0.0
        while True:
            view = request(f"{base}/api/experiments/{experiment['id']}")
            peak_heap = max(peak_heap, metric(base, "jvm.memory.used", "area:heap") or 0)
            peak_off_heap = max(peak_off_heap, metric(base, "flatnesslab.memory.outside.jvm.pools") or 0)
            if view["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                break
            time.sleep(1)
        wall = time.time() - started
        if view["status"] != "SUCCEEDED":
            raise SystemExit(f"experiment {experiment['id']} ended {view['status']}: {view.get('failureReason')}")
        results = request(f"{base}/api/experiments/{experiment['id']}/results")
        peak_rss = rss_kib(service.pid, "VmHWM")
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=120)

    saves = [float(match) for match in re.findall(r"saved TRAIN(?:ING|ED) after \d+ epochs: .* in ([0-9.]+) s",
                                                  open(log_path).read())]
    with open(os.path.join(folder, "flatness-lab-results.json"), "w") as handle:
        json.dump(results, handle)
    return {"wallSeconds": wall, "results": results, "snapshotSeconds": sum(saves), "snapshotSaves": len(saves),
            "peakRssMiB": peak_rss / 1024, "peakHeapMiB": peak_heap / 2**20, "peakOffHeapEstimateMiB": peak_off_heap / 2**20}


def run_pytorch(args, folder, runs, epochs, directions):
    output = os.path.join(folder, "pytorch-results.json")
    command = [args.python, os.path.join(ROOT, "tools", "reference", "classic.py"), "--threads", str(args.threads),
               "--same-data", os.path.join(folder, "flatness-lab-results.json"), "--runs", str(runs),
               "--max-epochs", str(epochs), "--directions", str(directions), "--output", output]
    started = time.time()
    peak = 0
    with open(os.path.join(folder, "pytorch.log"), "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        # The high-water mark is read while the process lives, because after it exits only the
        # maximum over all children (the Java service included) is available.
        while process.poll() is None:
            try:
                peak = max(peak, rss_kib(process.pid, "VmHWM"))
            except OSError:
                pass
            time.sleep(0.5)
    wall = time.time() - started
    if process.returncode != 0:
        raise SystemExit(f"the PyTorch reference failed; see {folder}/pytorch.log")
    peak /= 1024
    with open(output) as handle:
        return {"wallSeconds": wall, "results": json.load(handle), "peakRssMiB": peak}


def sgemm(args):
    nd4j = subprocess.run(["java", "-cp", args.jar, "-Dloader.main=io.flatnesslab.training.SgemmProbe",
                           "org.springframework.boot.loader.launch.PropertiesLauncher", "7"],
                          check=True, capture_output=True, text=True).stdout
    probe = ("import time, torch, statistics; torch.set_num_threads(%d); a = torch.rand(1000, 5000); "
             "b = torch.rand(5000, 5000); torch.mm(a, b); t = []\n"
             "for _ in range(7):\n s = time.time(); torch.mm(a, b); t.append(time.time() - s)\n"
             "print(2e10 / statistics.median(t) / 1e9)") % args.threads
    torch = subprocess.run([args.python, "-c", probe], check=True, capture_output=True, text=True).stdout
    return {"nd4j": probe_result(nd4j, "sgemm probe result")["medianGflops"], "torch": float(torch.strip())}


def probe_result(output, marker):
    """Returns the JSON object that a probe logged after marker."""
    line = [line for line in output.splitlines() if marker in line][-1]
    return json.loads(line[line.index(marker) + len(marker):].strip())


def levers(args):
    output = subprocess.run(["java", "-cp", args.jar, "-Dloader.main=io.flatnesslab.training.StepProbe",
                             "org.springframework.boot.loader.launch.PropertiesLauncher", "15"],
                            check=True, capture_output=True, text=True).stdout
    return probe_result(output, "step probe result")


def parameters(hidden):
    widths = [784] + hidden + [10]
    return sum(widths[i] * widths[i + 1] + widths[i + 1] for i in range(len(widths) - 1))


def phases(results, train_size, evaluations_per_run):
    """Per group: training and flatness seconds and FLOPs, summed over runs."""
    table = {}
    for group in results["groups"]:
        size = parameters(group["hiddenLayers"])
        runs = group["runs"]
        table[group["key"]] = {
            "trainingSeconds": sum(run["trainingSeconds"] for run in runs),
            "flatnessSeconds": sum(run["measuringSeconds"] for run in runs),
            "trainingFlops": sum(run["epochsTrained"] for run in runs) * train_size * 6 * size,
            "flatnessFlops": len(runs) * evaluations_per_run * train_size * 2 * size,
            "epochs": [run["epochsTrained"] for run in runs],
        }
    return table


def cell(values, digits=1):
    values = [value for value in values if value is not None]
    if not values:
        return "n/a"
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reduced", action="store_true", help="1 run per group, 2 epochs, 2 directions")
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="PyTorch threads (default: all cores)")
    parser.add_argument("--jar", default=None, help="service jar (default: the one in target/)")
    parser.add_argument("--python", default="/usr/bin/python3", help="Python with torch 1.13 and numpy")
    parser.add_argument("--port", type=int, default=18180)
    parser.add_argument("--output", default="bench-output")
    args = parser.parse_args()
    if args.jar is None:
        jars = [name for name in os.listdir(os.path.join(ROOT, "target")) if re.fullmatch(r"flatness-lab-.*\.jar", name)]
        if not jars:
            raise SystemExit("no jar in target/; build it first with: mvn -B -DskipTests package")
        args.jar = os.path.join(ROOT, "target", jars[0])

    spec = REDUCED if args.reduced else {}
    runs, epochs, directions = (1, 2, 2) if args.reduced else (3, 30, 5)
    repetitions = []
    for repetition in range(args.repetitions):
        folder = os.path.abspath(os.path.join(args.output, f"repetition-{repetition + 1}"))
        os.makedirs(folder, exist_ok=True)
        print(f"repetition {repetition + 1}: Flatness Lab", file=sys.stderr, flush=True)
        lab = run_flatness_lab(args, spec, folder)
        print(f"repetition {repetition + 1}: PyTorch", file=sys.stderr, flush=True)
        torch = run_pytorch(args, folder, runs, epochs, directions)
        print(f"repetition {repetition + 1}: sgemm probes", file=sys.stderr, flush=True)
        probes = sgemm(args)
        print(f"repetition {repetition + 1}: levers probe", file=sys.stderr, flush=True)
        lever_rows = levers(args)
        repetitions.append({
            "levers": lever_rows,
            "flatnessLab": {key: value for key, value in lab.items() if key != "results"},
            "pytorch": {key: value for key, value in torch.items() if key != "results"},
            "sgemm": probes,
            "labPhases": phases(lab["results"], 1000, 2 + directions * EPSILON_COUNT),
            "torchPhases": phases(torch["results"], 1000, 1 + directions * EPSILON_COUNT),
        })
        with open(os.path.join(args.output, "benchmark.json"), "w") as handle:
            json.dump({"reduced": args.reduced, "threads": args.threads, "jar": args.jar,
                       "repetitions": repetitions}, handle, indent=1)

    print(report(repetitions, args))


def report(repetitions, args):
    def column(path):
        values = []
        for entry in repetitions:
            value = entry
            for key in path:
                value = value[key]
            values.append(value)
        return values

    lines = [f"Mode: {'reduced' if args.reduced else 'full'}; repetitions: {len(repetitions)}; PyTorch threads: "
             f"{args.threads}.", "",
             "| phase | Flatness Lab s | PyTorch s | ratio | Flatness Lab GFLOP/s | of ND4J sgemm | PyTorch GFLOP/s | "
             "of torch sgemm |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for group in GROUPS:
        for phase in ("training", "flatness"):
            lab_seconds = column(["labPhases", group, phase + "Seconds"])
            torch_seconds = column(["torchPhases", group, phase + "Seconds"])
            lab_rate = [flops / seconds / 1e9 for flops, seconds in
                        zip(column(["labPhases", group, phase + "Flops"]), lab_seconds)]
            torch_rate = [flops / seconds / 1e9 for flops, seconds in
                          zip(column(["torchPhases", group, phase + "Flops"]), torch_seconds)]
            lab_fraction = [100 * rate / probe for rate, probe in zip(lab_rate, column(["sgemm", "nd4j"]))]
            torch_fraction = [100 * rate / probe for rate, probe in zip(torch_rate, column(["sgemm", "torch"]))]
            ratio = [a / b for a, b in zip(lab_seconds, torch_seconds)]
            lines.append(f"| {phase} {group} | {cell(lab_seconds)} | {cell(torch_seconds)} | {cell(ratio, 2)} | "
                         f"{cell(lab_rate)} | {cell(lab_fraction, 0)} % | {cell(torch_rate)} | {cell(torch_fraction, 0)} % |")
    lines.append(f"| snapshot persistence | {cell(column(['flatnessLab', 'snapshotSeconds']))} | – | | | | | |")
    lab_total = column(["flatnessLab", "wallSeconds"])
    torch_total = column(["pytorch", "wallSeconds"])
    lines.append(f"| **total, end to end** | {cell(lab_total)} | {cell(torch_total)} | "
                 f"{cell([a / b for a, b in zip(lab_total, torch_total)], 2)} | | | | |")
    lines += ["", "| sgemm 1000×5000×5000 | GFLOP/s |", "| --- | --- |",
              f"| ND4J | {cell(column(['sgemm', 'nd4j']))} |",
              f"| PyTorch | {cell(column(['sgemm', 'torch']))} |", "",
              "| memory | MiB |", "| --- | --- |",
              f"| Flatness Lab peak RSS | {cell(column(['flatnessLab', 'peakRssMiB']), 0)} |",
              f"| Flatness Lab peak heap used (sampled every second) | {cell(column(['flatnessLab', 'peakHeapMiB']), 0)} |",
              f"| Flatness Lab off-heap, estimate: RSS − used JVM pools | "
              f"{cell(column(['flatnessLab', 'peakOffHeapEstimateMiB']), 0)} |",
              f"| PyTorch peak RSS | {cell(column(['pytorch', 'peakRssMiB']), 0)} |", "",
              "| 784-5000-5000-10 | ms | GFLOP/s |", "| --- | --- | --- |",
              f"| SGD step, batch 64, DL4J fit | {cell(column(['levers', 'fitStepMs']))} | "
              f"{cell(column(['levers', 'fitStepGflops']))} |",
              f"| SGD step, batch 64, hand-written | {cell(column(['levers', 'handWrittenStepMs']))} | "
              f"{cell(column(['levers', 'handWrittenStepGflops']))} |",
              f"| loss over 1000 examples | {cell(column(['levers', 'loss1000Ms']))} | "
              f"{cell(column(['levers', 'loss1000Gflops']))} |"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
