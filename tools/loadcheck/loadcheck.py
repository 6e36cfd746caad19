#!/usr/bin/env python3
"""Load check of a Flatness Lab instance on loopback.

Measures the latency of the status endpoint while the classic (full-size) experiment trains,
then sends a burst of concurrent small submissions while pollers run, and checks that every
accepted experiment finishes. Prints Markdown tables to stdout and logs progress to stderr.
README.md next to this file describes the phases, the options and every reported number.

Standard library only, so it runs on a bare Python 3.11.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import heapq
import http.client
import itertools
import json
import logging
import os
import platform
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Callable

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

FINAL_STATUSES = {"SUCCEEDED", "FAILED", "CANCELLED"}

EXPERIMENTS_PATH = "/api/experiments"

# One in this many burst polls goes to the list endpoint, the rest to single experiments.
LIST_POLL_EVERY = 5

# Seconds between the status checks of the main thread while it waits for a state.
WAIT_POLL_SECONDS = 1.0

EXIT_CHECKS_FAILED = 1
EXIT_SERVICE_UNREACHABLE = 3

log = logging.getLogger("loadcheck")


class RequestBudgetExhausted(Exception):
    """Raised when --max-requests requests have been sent."""


@dataclass
class Response:
    """One HTTP exchange. Its status is None when no response arrived."""

    method: str
    path: str
    status: int | None
    headers: dict[str, str]
    body: bytes
    seconds: float
    error: str | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> dict | None:
        """Return the body parsed as a JSON object, or None when it is not one."""
        try:
            value = json.loads(self.body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def problem_title(self) -> str:
        problem = self.json() or {}
        return str(problem.get("title") or problem.get("detail") or "(no problem title)")

    def describe(self) -> str:
        if self.status is None:
            return f"{self.method} {self.path}: {self.error}"
        return f"{self.method} {self.path}: HTTP {self.status} {self.body[:300].decode('utf-8', 'replace')}"


class Client:
    """HTTP client that counts every request and keeps examples of 5xx and slow responses."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float, max_requests: int):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.max_requests = max_requests
        # An empty ProxyHandler ignores http_proxy, which would route loopback requests elsewhere.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._lock = threading.Lock()
        self.requests_sent = 0
        self.budget_exhausted = False
        self.server_errors = 0
        self.server_error_examples: list[dict] = []
        self.connection_errors = Counter()
        self.connection_error_examples: list[dict] = []
        self._slowest: list[tuple[float, int, dict]] = []
        self._sequence = itertools.count()

    def request(self, method: str, path: str, body: dict | None = None, headers: dict[str, str] | None = None,
                essential: bool = False) -> Response:
        """Send one request and return its response, also for 4xx and 5xx.

        essential=True bypasses --max-requests, for the few requests that stop experiments this
        script started. Raises RequestBudgetExhausted when the budget is spent.
        """
        with self._lock:
            if not essential and self.requests_sent >= self.max_requests:
                self.budget_exhausted = True
                raise RequestBudgetExhausted()
            self.requests_sent += 1

        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header("X-API-Key", self.api_key)
        for name, value in (headers or {}).items():
            request.add_header(name, value)

        started = time.perf_counter()
        try:
            with self._opener.open(request, timeout=self.timeout) as raw:
                response = Response(method, path, raw.status, _lower_keys(raw.headers), raw.read(), 0.0)
        except urllib.error.HTTPError as error:
            # urllib raises HTTPError for every status outside 2xx, 304 included, but these are responses all the same.
            response = Response(method, path, error.code, _lower_keys(error.headers), error.read(), 0.0)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            response = Response(method, path, None, {}, b"", 0.0, error=_connection_error_text(error))
        response.seconds = time.perf_counter() - started

        self._record(response, body)
        return response

    def _record(self, response: Response, body: dict | None) -> None:
        example = {"request": f"{response.method} {response.path}", "requestBody": body,
                   "status": response.status, "ms": round(response.seconds * 1000, 1),
                   "at": _utc_now()}
        with self._lock:
            if response.status is None:
                kind = "timeout" if "timed out" in (response.error or "") else "connection error"
                self.connection_errors[kind] += 1
                if len(self.connection_error_examples) < 10:
                    self.connection_error_examples.append({**example, "error": response.error})
                log.warning("No response: %s", response.describe())
                return
            if response.status >= 500:
                self.server_errors += 1
                if len(self.server_error_examples) < 10:
                    self.server_error_examples.append(
                        {**example, "responseBody": response.body[:1000].decode("utf-8", "replace")})
                log.error("Server error: %s", response.describe())
            entry = (response.seconds, next(self._sequence), example)
            if len(self._slowest) < 10:
                heapq.heappush(self._slowest, entry)
            else:
                heapq.heappushpop(self._slowest, entry)

    def slowest(self) -> list[dict]:
        with self._lock:
            return [example for _, _, example in sorted(self._slowest, reverse=True)]


def _lower_keys(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in (headers or {}).items()}


def _connection_error_text(error: Exception) -> str:
    reason = getattr(error, "reason", None)
    if isinstance(reason, TimeoutError) or isinstance(error, TimeoutError):
        return f"timed out: {error}"
    return f"{type(error).__name__}: {error}"


def _utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


class LatencySeries:
    """Latencies of one kind of request, with the responses that were not successful."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds: list[float] = []
        self.errors = Counter()
        self.with_etag = 0
        self.not_modified = 0

    def add(self, response: Response) -> None:
        with self._lock:
            if response.status is None:
                self.errors["timeout" if "timed out" in (response.error or "") else "connection error"] += 1
                return
            self.seconds.append(response.seconds)
            if response.header("ETag"):
                self.with_etag += 1
            if response.status == 304:
                self.not_modified += 1
            elif not 200 <= response.status < 300:
                self.errors[f"HTTP {response.status}"] += 1

    def summary(self) -> dict:
        with self._lock:
            samples = sorted(seconds * 1000 for seconds in self.seconds)
            errors = dict(self.errors)
            with_etag, not_modified = self.with_etag, self.not_modified
        return {"count": len(samples), "errors": sum(errors.values()), "errorKinds": errors,
                **percentiles(samples), "withETag": with_etag, "notModified": not_modified}

    def samples_ms(self) -> list[float]:
        with self._lock:
            return [round(seconds * 1000, 2) for seconds in self.seconds]


def percentiles(samples_ms: list[float]) -> dict:
    """Return p50, p90, p99 and max of sorted samples, interpolated linearly as numpy.percentile does by default."""
    if not samples_ms:
        return {"p50Ms": None, "p90Ms": None, "p99Ms": None, "maxMs": None}
    if len(samples_ms) == 1:
        cuts = [samples_ms[0]] * 99
    else:
        cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {"p50Ms": round(cuts[49], 1), "p90Ms": round(cuts[89], 1), "p99Ms": round(cuts[98], 1),
            "maxMs": round(samples_ms[-1], 1)}


@dataclass
class PollTarget:
    """The next request of a poller and where its result goes."""

    path: str
    series: LatencySeries
    on_response: Callable[[Response], None] | None = None


class PollerPool:
    """Threads that each send GET requests back to back, pausing --poll-interval between them."""

    def __init__(self, client: Client, count: int, interval: float, choose: Callable[[], PollTarget],
                 conditional: bool):
        self._client = client
        self._interval = interval
        self._choose = choose
        self._conditional = conditional
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, name=f"poller-{i}", daemon=True) for i in range(count)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def alive(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def _run(self) -> None:
        # A random start spreads the pollers over the interval instead of firing them in lockstep.
        self._stop.wait(random.uniform(0, self._interval))
        etags: dict[str, str] = {}
        while not self._stop.is_set():
            target = self._choose()
            headers = {}
            if self._conditional and target.path in etags:
                headers["If-None-Match"] = etags[target.path]
            try:
                response = self._client.request("GET", target.path, headers=headers)
            except RequestBudgetExhausted:
                return
            target.series.add(response)
            if response.header("ETag"):
                etags[target.path] = response.header("ETag")
            if target.on_response is not None:
                target.on_response(response)
            self._stop.wait(self._interval)


class Deadline:
    """End of the --max-seconds budget, on the monotonic clock."""

    def __init__(self, seconds: float):
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        return self.remaining() <= 0


def status_of(view: dict | None) -> str | None:
    return None if view is None else view.get("status")


def phase_of(view: dict | None) -> str | None:
    """Return the progress phase, which the service may report inside progress or at the top level."""
    if view is None:
        return None
    progress = view.get("progress") or {}
    return progress.get("phase") or view.get("phase")


def is_training(view: dict | None) -> bool:
    """Return whether the experiment is RUNNING in phase TRAINING, or RUNNING when the service reports no phase."""
    return status_of(view) == "RUNNING" and phase_of(view) in ("TRAINING", None)


def progress_of(view: dict | None) -> dict:
    """Return the progress fields that are present, including unitsDone, unitsTotal and estimatedSecondsRemaining."""
    if view is None:
        return {}
    progress = dict(view.get("progress") or {})
    for name in ("phase", "unitsDone", "unitsTotal", "estimatedSecondsRemaining"):
        if name in view and name not in progress:
            progress[name] = view[name]
    return progress


def experiment_path(experiment_id: int) -> str:
    return f"{EXPERIMENTS_PATH}/{experiment_id}"


def wait_for(client: Client, experiment_id: int, done: Callable[[dict], bool], timeout: float,
             essential: bool = False) -> tuple[dict | None, Response | None, float]:
    """Poll an experiment until done(view) is true, it is not found, or timeout seconds pass.

    Returns the last view (None when none arrived), the last response and the seconds waited.
    """
    started = time.monotonic()
    view, response = None, None
    while True:
        try:
            response = client.request("GET", experiment_path(experiment_id), essential=essential)
        except RequestBudgetExhausted:
            break
        if response.status == 404:
            break
        if response.status == 200:
            view = response.json()
            if view is not None and done(view):
                break
        if time.monotonic() - started >= timeout:
            break
        time.sleep(min(WAIT_POLL_SECONDS, max(0.0, timeout - (time.monotonic() - started))))
    return view, response, round(time.monotonic() - started, 1)


def accepted_id(response: Response) -> int | None:
    """Return the experiment id of an accepted submission, from the body or else the Location header."""
    view = response.json()
    if view is not None and isinstance(view.get("id"), int):
        return view["id"]
    location = response.header("Location") or ""
    tail = location.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def count_unfinished(client: Client) -> dict:
    """Count the experiments already QUEUED or RUNNING, which would delay this run's jobs."""
    counts = {}
    for status in ("QUEUED", "RUNNING"):
        response = client.request("GET", f"{EXPERIMENTS_PATH}?status={status}&size=1")
        page = response.json() if response.status == 200 else None
        counts[status.lower()] = None if page is None else page.get("totalElements")
    return counts


def cancel_and_wait(client: Client, experiment_id: int, timeout: float) -> dict:
    """Cancel an experiment and wait up to timeout seconds for a final status."""
    response = client.request("POST", f"{experiment_path(experiment_id)}/cancel", essential=True)
    outcome = {"cancelResponse": response.status}
    if response.status not in (200, 202):
        outcome["cancelProblem"] = response.problem_title() if response.status else response.error
    view, _, waited = wait_for(client, experiment_id, lambda v: status_of(v) in FINAL_STATUSES, timeout,
                               essential=True)
    outcome["finalStatus"] = status_of(view)
    outcome["secondsToFinal"] = waited
    return outcome


def run_full_size(client: Client, args: argparse.Namespace, deadline: Deadline) -> dict:
    """Measure status latency while the classic experiment trains, then cancel it."""
    result: dict = {"skipped": False}
    response = client.request("POST", EXPERIMENTS_PATH, body={})
    result["submitResponse"] = response.status
    experiment_id = accepted_id(response) if response.status in (200, 202) else None
    if experiment_id is None:
        result["submitProblem"] = response.problem_title() if response.status else response.error
        log.error("Submitting the classic experiment failed: %s", response.describe())
        return result
    result["experimentId"] = experiment_id
    log.info("Classic experiment %d submitted; waiting for RUNNING and phase TRAINING", experiment_id)

    try:
        view, _, waited = wait_for(client, experiment_id,
                                   lambda v: is_training(v) or status_of(v) in FINAL_STATUSES,
                                   min(args.start_timeout, deadline.remaining()))
        result["secondsToTraining"] = waited
        result["statusAtStart"] = status_of(view)
        result["phaseAtStart"] = phase_of(view)
        result["reachedTraining"] = is_training(view)
        if not result["reachedTraining"]:
            log.error("Classic experiment %d did not reach TRAINING within %.0f s: status %s, phase %s",
                      experiment_id, waited, status_of(view), phase_of(view))
            return result
        log.info("Classic experiment %d is TRAINING after %.0f s", experiment_id, waited)
        result.update(measure_status_latency(client, args, deadline, experiment_id))
    finally:
        log.info("Cancelling classic experiment %d", experiment_id)
        outcome = cancel_and_wait(client, experiment_id, args.cancel_timeout)
        result.update(outcome)
        if outcome["finalStatus"] == "CANCELLED":
            log.info("Classic experiment %d CANCELLED %.0f s after the cancel request",
                     experiment_id, outcome["secondsToFinal"])
        else:
            log.error("Classic experiment %d is %s %.0f s after the cancel request; check it with GET %s",
                      experiment_id, outcome["finalStatus"], outcome["secondsToFinal"], experiment_path(experiment_id))
    return result


def measure_status_latency(client: Client, args: argparse.Namespace, deadline: Deadline, experiment_id: int) -> dict:
    series = LatencySeries()
    phases = Counter()
    last_progress: dict = {}
    lock = threading.Lock()

    def observe(response: Response) -> None:
        view = response.json() if response.status == 200 else None
        if view is None:
            return
        with lock:
            phases[f"{status_of(view)}/{phase_of(view)}"] += 1
            last_progress.clear()
            last_progress.update(progress_of(view))

    target = PollTarget(experiment_path(experiment_id), series, observe)
    pollers = PollerPool(client, args.pollers, args.poll_interval, lambda: target, args.conditional)
    window = min(args.latency_seconds, deadline.remaining())
    log.info("Polling experiment %d for %.0f s from %d pollers", experiment_id, window, args.pollers)
    started = time.monotonic()
    pollers.start()
    try:
        time.sleep(window)
    finally:
        pollers.stop()
    summary = series.summary()
    log.info("Full-size latency window: %d responses, %d errors, p50 %s ms, p99 %s ms",
             summary["count"], summary["errors"], summary["p50Ms"], summary["p99Ms"])
    return {"latencyWindowSeconds": round(time.monotonic() - started, 1), "statusLatency": summary,
            "statusAndPhaseSeen": dict(phases), "lastProgress": dict(last_progress),
            "samplesMs": series.samples_ms()}


def small_spec(seed: int) -> dict:
    return {
        "seed": seed,
        "dataset": {"name": "mnist-10k", "trainSize": 100},
        "training": {"maxEpochs": 2, "batchSize": 32},
        "groups": [{"key": "g", "hiddenLayers": [16], "labels": "NATURAL"}],
        "runsPerGroup": 1,
        "flatness": {"epsilons": [0.01, 0.1], "directions": 2},
    }


class BurstTracker:
    """Accepted burst experiments and the last status the pollers saw for each."""

    NOT_FOUND = "NOT_FOUND"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: list[int] = []
        self._status: dict[int, str | None] = {}
        self._cursor = 0
        self.duplicates = 0
        self.last_final_at: float | None = None

    def accept(self, experiment_id: int) -> None:
        with self._lock:
            if experiment_id in self._status:
                self.duplicates += 1
                return
            self._ids.append(experiment_id)
            self._status[experiment_id] = None

    def observe(self, experiment_id: int, response: Response) -> None:
        if response.status == 404:
            status = self.NOT_FOUND
        elif response.status == 200:
            status = status_of(response.json())
        else:
            return
        with self._lock:
            if status in FINAL_STATUSES and self._status.get(experiment_id) not in FINAL_STATUSES:
                self.last_final_at = time.monotonic()
            self._status[experiment_id] = status

    def ids(self) -> list[int]:
        with self._lock:
            return list(self._ids)

    def unfinished(self) -> list[int]:
        with self._lock:
            return [i for i in self._ids if self._status[i] not in FINAL_STATUSES and self._status[i] != self.NOT_FOUND]

    def next_id(self) -> int | None:
        """Return the next experiment to poll, round robin over the unfinished ones, else over all."""
        candidates = self.unfinished() or self.ids()
        if not candidates:
            return None
        with self._lock:
            self._cursor += 1
            return candidates[self._cursor % len(candidates)]


def run_burst(client: Client, args: argparse.Namespace, deadline: Deadline) -> dict:
    """Send --posts concurrent small submissions with pollers running, and check that all finish."""
    tracker = BurstTracker()
    status_series, list_series, post_series = LatencySeries(), LatencySeries(), LatencySeries()
    poll_counter = itertools.count()
    list_target = PollTarget(f"{EXPERIMENTS_PATH}?page=0&size=20", list_series)

    def choose() -> PollTarget:
        experiment_id = tracker.next_id()
        if experiment_id is None or next(poll_counter) % LIST_POLL_EVERY == 0:
            return list_target
        return PollTarget(experiment_path(experiment_id), status_series,
                          lambda response: tracker.observe(experiment_id, response))

    pollers = PollerPool(client, args.pollers, args.poll_interval, choose, args.conditional)
    pollers.start()
    started = time.monotonic()
    try:
        result = submit_burst(client, args, tracker, post_series)
        log.info("Burst sent: %d accepted, %d rejected with 429, %d other 4xx, %d 5xx, %d without response",
                 result["accepted"] + result["acceptedReplayed"], result["rejected429"],
                 sum(result["rejectedOther"].values()), result["serverErrors"], result["noResponse"])
        wait_for_burst(tracker, pollers, min(args.finish_timeout, deadline.remaining()))
    finally:
        pollers.stop()
    if tracker.last_final_at is not None:
        result["secondsToLastFinal"] = round(tracker.last_final_at - started, 1)
    result["duplicateIds"] = tracker.duplicates
    result.update(check_burst_outcome(client, args, tracker))
    result["postLatency"] = post_series.summary()
    result["statusLatency"] = status_series.summary()
    result["listLatency"] = list_series.summary()
    result["samplesMs"] = {"post": post_series.samples_ms(), "status": status_series.samples_ms(),
                           "list": list_series.samples_ms()}
    return result


def submit_burst(client: Client, args: argparse.Namespace, tracker: BurstTracker, series: LatencySeries) -> dict:
    # A service with idempotency support deduplicates by Idempotency-Key. Others ignore the header.
    run_token = uuid.uuid4().hex[:12]
    barrier = threading.Barrier(args.posts)

    def submit(index: int) -> Response | None:
        try:
            # The barrier releases all threads together, so the submissions reach the service at once.
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        try:
            response = client.request("POST", EXPERIMENTS_PATH, body=small_spec(args.first_seed + index),
                                      headers={"Idempotency-Key": f"loadcheck-{run_token}-{index}"})
        except RequestBudgetExhausted:
            return None
        series.add(response)
        if response.status in (200, 202):
            experiment_id = accepted_id(response)
            if experiment_id is not None:
                tracker.accept(experiment_id)
        return response

    result = {"posts": args.posts, "notSent": 0, "accepted": 0, "acceptedReplayed": 0, "acceptedWithoutId": 0,
              "rejected429": 0, "retryAfter": Counter(), "rejectedOther": Counter(), "serverErrors": 0,
              "noResponse": 0, "unexpected": Counter()}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.posts, thread_name_prefix="post") as pool:
        for future in concurrent.futures.as_completed([pool.submit(submit, i) for i in range(args.posts)]):
            classify_post(future.result(), result)
    result["retryAfter"] = dict(result["retryAfter"])
    result["rejectedOther"] = dict(result["rejectedOther"])
    result["unexpected"] = dict(result["unexpected"])
    return result


def classify_post(response: Response | None, result: dict) -> None:
    if response is None:
        result["notSent"] += 1
    elif response.status is None:
        result["noResponse"] += 1
    elif response.status in (200, 202):
        result["accepted" if response.status == 202 else "acceptedReplayed"] += 1
        if accepted_id(response) is None:
            result["acceptedWithoutId"] += 1
    elif response.status == 429:
        result["rejected429"] += 1
        result["retryAfter"][response.header("Retry-After") or "(absent)"] += 1
    elif 400 <= response.status < 500:
        result["rejectedOther"][f"{response.status} {response.problem_title()}"] += 1
    elif response.status >= 500:
        result["serverErrors"] += 1
    else:
        result["unexpected"][str(response.status)] += 1


def wait_for_burst(tracker: BurstTracker, pollers: PollerPool, timeout: float) -> None:
    started = time.monotonic()
    last_log = started
    while tracker.unfinished() and time.monotonic() - started < timeout and pollers.alive():
        time.sleep(WAIT_POLL_SECONDS)
        if time.monotonic() - last_log >= 10:
            last_log = time.monotonic()
            log.info("Waiting for %d of %d accepted experiments to finish", len(tracker.unfinished()),
                     len(tracker.ids()))
    if not pollers.alive():
        log.warning("Pollers stopped (request budget spent) before every accepted experiment finished")


def check_burst_outcome(client: Client, args: argparse.Namespace, tracker: BurstTracker) -> dict:
    """Fetch each accepted experiment once more, count outcomes, check results and cancel leftovers."""
    outcome = {"completed": 0, "failed": 0, "cancelled": 0, "lostNotFound": 0, "lostUnfinished": 0,
               "failureReasons": Counter(), "resultsOk": 0, "resultsProblems": [], "leftoversCancelled": [],
               "lostIds": []}
    for experiment_id in tracker.ids():
        response = client.request("GET", experiment_path(experiment_id), essential=True)
        view = response.json() if response.status == 200 else None
        status = status_of(view)
        if response.status == 404:
            outcome["lostNotFound"] += 1
            outcome["lostIds"].append(experiment_id)
            log.error("Accepted experiment %d is not found: %s", experiment_id, response.describe())
        elif status == "SUCCEEDED":
            outcome["completed"] += 1
            problem = check_results(client, experiment_id, view)
            if problem is None:
                outcome["resultsOk"] += 1
            else:
                outcome["resultsProblems"].append({"experimentId": experiment_id, "problem": problem})
                log.error("Results of experiment %d: %s", experiment_id, problem)
        elif status == "FAILED":
            outcome["failed"] += 1
            outcome["failureReasons"][str(view.get("failureReason"))] += 1
        elif status == "CANCELLED":
            outcome["cancelled"] += 1
        else:
            outcome["lostUnfinished"] += 1
            outcome["lostIds"].append(experiment_id)
            log.error("Accepted experiment %d did not finish in time: %s", experiment_id, response.describe())
            if status in ("QUEUED", "RUNNING"):
                # Leaving it queued would keep the service busy after the check has ended.
                cancelled = cancel_and_wait(client, experiment_id, 0)
                outcome["leftoversCancelled"].append({"experimentId": experiment_id, **cancelled})
    outcome["lost"] = outcome["lostNotFound"] + outcome["lostUnfinished"]
    outcome["failureReasons"] = dict(outcome["failureReasons"])
    return outcome


def check_results(client: Client, experiment_id: int, view: dict) -> str | None:
    """Return None when the results contain runsPerGroup runs for every group of the spec, else the problem."""
    response = client.request("GET", f"{experiment_path(experiment_id)}/results", essential=True)
    if response.status != 200:
        return f"expected HTTP 200, got {response.describe()}"
    results = response.json() or {}
    spec = view.get("spec") or {}
    expected_keys = [group.get("key") for group in spec.get("groups") or []]
    expected_runs = spec.get("runsPerGroup", 1)
    groups = results.get("groups") or []
    keys = [group.get("key") for group in groups]
    if keys != expected_keys:
        return f"expected groups {expected_keys}, got {keys}"
    for group in groups:
        runs = group.get("runs") or []
        if len(runs) != expected_runs:
            return f"group {group.get('key')}: expected {expected_runs} runs, got {len(runs)}"
    if results.get("complete") is False:
        return "results are marked complete = false"
    return None


def describe_machine() -> dict:
    """Return CPU count (as nproc counts it), CPU model and total memory of this machine."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = platform.processor() or "unknown"
    memory_gib = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    memory_gib = round(int(line.split()[1]) / 1024 ** 2, 1)
                    break
    except OSError:
        pass
    return {"nproc": cpus, "cpuModel": model, "memoryGiB": memory_gib}


def validate_base_url(parser: argparse.ArgumentParser, base_url: str) -> str:
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https"):
        parser.error(f"--base-url {base_url!r} is invalid: use http:// or https://, e.g. http://127.0.0.1:8080")
    if parts.hostname not in LOOPBACK_HOSTS:
        parser.error(f"--base-url host {parts.hostname!r} is rejected: this load check only targets loopback "
                     f"({', '.join(sorted(LOOPBACK_HOSTS))})")
    return base_url.rstrip("/")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load check of a Flatness Lab instance on loopback: status latency during a full-size job, "
                    "then a burst of concurrent small submissions.")
    parser.add_argument("--base-url", default="http://127.0.0.1:8080",
                        help="service URL; the host must be 127.0.0.1, localhost or ::1 (default %(default)s)")
    parser.add_argument("--api-key", help="value of the X-API-Key header sent on every request (default: none)")
    parser.add_argument("--max-seconds", type=float, default=900,
                        help="time budget of all phases in seconds; cleanup may add up to --cancel-timeout "
                             "(default %(default)s)")
    parser.add_argument("--max-requests", type=int, default=40000,
                        help="maximum number of requests, not counting cancel requests and the final "
                             "per-experiment checks (default %(default)s)")
    parser.add_argument("--pollers", type=int, default=20, help="polling threads (default %(default)s)")
    parser.add_argument("--poll-interval", type=float, default=0.5,
                        help="pause of each poller between requests in seconds, 0 for back to back "
                             "(default %(default)s)")
    parser.add_argument("--conditional", action="store_true",
                        help="send If-None-Match with the last ETag a poller saw for the same path")
    parser.add_argument("--request-timeout", type=float, default=30,
                        help="seconds to wait for one response (default %(default)s)")
    parser.add_argument("--skip-full-size", action="store_true", help="skip the full-size latency phase")
    parser.add_argument("--latency-seconds", type=float, default=60,
                        help="length of the latency window while the full-size job trains (default %(default)s)")
    parser.add_argument("--start-timeout", type=float, default=600,
                        help="seconds to wait for the full-size job to reach TRAINING (default %(default)s)")
    parser.add_argument("--cancel-timeout", type=float, default=300,
                        help="seconds to wait for the full-size job to be CANCELLED (default %(default)s)")
    parser.add_argument("--posts", type=int, default=50, help="concurrent small submissions (default %(default)s)")
    parser.add_argument("--first-seed", type=int, default=1,
                        help="seed of the first small submission; the others count up from it (default %(default)s)")
    parser.add_argument("--finish-timeout", type=float, default=600,
                        help="seconds to wait for every accepted submission to finish (default %(default)s)")
    parser.add_argument("--json", metavar="FILE", help="also write every number and latency sample as JSON")
    args = parser.parse_args(argv)

    args.base_url = validate_base_url(parser, args.base_url)
    bounds = {"pollers": (1, 200), "posts": (1, 500), "max_requests": (1, 1_000_000)}
    for name, (low, high) in bounds.items():
        value = getattr(args, name)
        if not low <= value <= high:
            parser.error(f"--{name.replace('_', '-')} must be between {low} and {high}; got {value}")
    for name in ("max_seconds", "latency_seconds", "start_timeout", "cancel_timeout", "finish_timeout",
                 "request_timeout"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be a positive number of seconds; got {getattr(args, name)}")
    if args.poll_interval < 0:
        parser.error(f"--poll-interval must be 0 or more seconds; got {args.poll_interval}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    deadline = Deadline(args.max_seconds)
    client = Client(args.base_url, args.api_key, args.request_timeout, args.max_requests)
    started = time.monotonic()

    probe = client.request("GET", f"{EXPERIMENTS_PATH}?size=1")
    if probe.status != 200:
        log.error("No Flatness Lab responded at %s (%s); start the service or fix --base-url",
                  args.base_url, probe.describe())
        return EXIT_SERVICE_UNREACHABLE

    report: dict = {"date": _utc_now(), "baseUrl": args.base_url, "machine": describe_machine(),
                    "options": {name: value for name, value in vars(args).items() if name not in ("api_key", "json")},
                    "apiKeySent": bool(args.api_key), "unfinishedBefore": count_unfinished(client)}
    if any(report["unfinishedBefore"].values()):
        log.warning("The service already has queued or running experiments: %s; they delay this run's jobs",
                    report["unfinishedBefore"])

    try:
        if args.skip_full_size:
            report["fullSize"] = {"skipped": True}
        else:
            report["fullSize"] = run_full_size(client, args, deadline)
        if deadline.expired():
            log.warning("--max-seconds reached; skipping the burst")
            report["burst"] = {"skipped": True}
        else:
            report["burst"] = run_burst(client, args, deadline)
    except KeyboardInterrupt:
        log.warning("Interrupted; reporting what was measured")
        report["interrupted"] = True

    report["stoppedAtMaxSeconds"] = deadline.expired()
    report["elapsedSeconds"] = round(time.monotonic() - started, 1)
    report["requestsSent"] = client.requests_sent
    report["requestBudgetExhausted"] = client.budget_exhausted
    report["serverErrors"] = client.server_errors
    report["serverErrorExamples"] = client.server_error_examples
    report["noResponse"] = dict(client.connection_errors)
    report["noResponseExamples"] = client.connection_error_examples
    report["slowestRequests"] = client.slowest()
    report["failures"] = failures(report)
    report["exitCode"] = EXIT_CHECKS_FAILED if report["failures"] else 0

    print(render_markdown(report))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=2)
    for failure in report["failures"]:
        log.error("Check failed: %s", failure)
    return report["exitCode"]


def failures(report: dict) -> list[str]:
    """List the conditions that make the exit status non-zero."""
    found = []
    burst = report.get("burst") or {}
    if burst.get("lost"):
        found.append(f"{burst['lost']} accepted experiments lost: ids {burst.get('lostIds')}")
    if burst.get("resultsProblems"):
        found.append(f"{len(burst['resultsProblems'])} completed experiments with unexpected results: "
                     f"{burst['resultsProblems']}")
    if report["serverErrors"]:
        found.append(f"{report['serverErrors']} responses with status 5xx")
    full_size = report.get("fullSize") or {}
    if full_size.get("experimentId") is not None and full_size.get("finalStatus") not in FINAL_STATUSES:
        found.append(f"full-size experiment {full_size['experimentId']} did not stop "
                     f"(last status {full_size.get('finalStatus')})")
    return found


def render_markdown(report: dict) -> str:
    machine = report["machine"]
    rows = [
        ("date (UTC)", report["date"]),
        ("base URL", report["baseUrl"]),
        ("machine", f"{machine['nproc']} CPUs ({machine['cpuModel']}), {machine['memoryGiB']} GiB memory"),
        ("pollers, pause between polls", f"{report['options']['pollers']}, {report['options']['poll_interval']} s"),
        ("experiments queued / running before the run",
         f"{report['unfinishedBefore'].get('queued')} / {report['unfinishedBefore'].get('running')}"),
    ]
    full_size = report.get("fullSize") or {}
    if full_size.get("skipped"):
        rows.append(("full-size job", "skipped"))
    elif full_size:
        rows += [
            ("full-size job: id, submit response",
             f"{full_size.get('experimentId')}, HTTP {full_size.get('submitResponse')}"),
            ("full-size job: seconds until TRAINING", full_size.get("secondsToTraining")),
            ("full-size job: status/phase seen while polled", _format_counts(full_size.get("statusAndPhaseSeen"))),
            ("full-size job: last progress", json.dumps(full_size.get("lastProgress"))),
            ("full-size job: cancel response", f"HTTP {full_size.get('cancelResponse')}"),
            ("full-size job: status, seconds after cancel",
             f"{full_size.get('finalStatus')}, {full_size.get('secondsToFinal')}"),
        ]
    burst = report.get("burst") or {}
    if burst.get("skipped"):
        rows.append(("burst", "skipped (max-seconds reached)"))
    elif burst:
        rows += [
            ("burst: POSTs sent / not sent", f"{burst['posts'] - burst['notSent']} / {burst['notSent']}"),
            ("burst: accepted (202)", burst["accepted"]),
            ("burst: accepted, replayed (200)", burst["acceptedReplayed"]),
            ("burst: rejected 429", burst["rejected429"]),
            ("burst: Retry-After values seen", _format_counts(burst["retryAfter"])),
            ("burst: rejected, other 4xx", _format_counts(burst["rejectedOther"])),
            ("burst: 5xx / no response", f"{burst['serverErrors']} / {burst['noResponse']}"),
            ("burst: completed (SUCCEEDED)", burst["completed"]),
            ("burst: results with one run per group", f"{burst['resultsOk']} of {burst['completed']}"),
            ("burst: failed",
             f"{burst['failed']} ({_format_counts(burst['failureReasons'])})" if burst["failed"] else 0),
            ("burst: cancelled", burst["cancelled"]),
            ("burst: lost (404 / not final in time)",
             f"**{burst['lost']}** ({burst['lostNotFound']} / {burst['lostUnfinished']})"),
            ("burst: seconds from first POST to last final status", burst.get("secondsToLastFinal")),
        ]
    rows += [
        ("requests sent", report["requestsSent"]),
        ("5xx responses, all phases", report["serverErrors"]),
        ("no response (timeout / connection error)", _format_counts(report["noResponse"])),
        ("elapsed seconds", report["elapsedSeconds"]),
        ("stopped at --max-seconds", "yes" if report["stoppedAtMaxSeconds"] else "no"),
        ("result", "FAILED: " + "; ".join(report["failures"]) if report["failures"] else "passed"),
    ]
    lines = ["| metric | value |", "| --- | --- |"]
    lines += [f"| {name} | {_escape(value)} |" for name, value in rows]

    latency_rows = []
    if full_size.get("statusLatency"):
        latency_rows.append(("GET status while the full-size job trains", full_size["statusLatency"]))
    if burst.get("statusLatency"):
        latency_rows += [("POST during the burst", burst["postLatency"]),
                         ("GET status during the burst", burst["statusLatency"]),
                         ("GET list during the burst", burst["listLatency"])]
    if latency_rows:
        lines += ["", "| requests | count | errors | p50 ms | p90 ms | p99 ms | max ms | with ETag | 304 |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for name, summary in latency_rows:
            errors = str(summary["errors"]) + (f" {_format_counts(summary['errorKinds'])}" if summary["errors"] else "")
            lines.append(f"| {name} | {summary['count']} | {_escape(errors)} | {summary['p50Ms']} | {summary['p90Ms']} "
                         f"| {summary['p99Ms']} | {summary['maxMs']} | {summary['withETag']} | {summary['notModified']} |")
    return "\n".join(lines)


def _format_counts(counts: dict | None) -> str:
    if not counts:
        return "none"
    return ", ".join(f"{name}: {count}" for name, count in counts.items())


def _escape(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    sys.exit(main())
