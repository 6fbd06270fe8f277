"""The markdown of bench/reload/run.py: save-to-served per tool, each
tool's per-round delta over that round's floor, and ratios against the
reference devwatch row measured in the same rounds."""
import benchlib

LABELS = {
    "floor": "floor: cold start of runserver --noreload",
    "devwatch": "devwatch run --stop-signal SIGTERM",
    "devwatch-default": "devwatch run, no --stop-signal (runserver recognised: SIGTERM)",
    "devwatch-sigint": "devwatch run --stop-signal SIGINT (slow stop, leading edge)",
    "devwatch-baseline": "devwatch run --stop-signal SIGTERM, --baseline build",
    "devwatch-baseline-sigint": "devwatch run --stop-signal SIGINT, --baseline build",
    "django-devwatch": "Django autoreloader (DevwatchReloader, devwatch.django)",
    "django-stat": "Django autoreloader (StatReloader)",
    "django-watchman": "Django autoreloader (WatchmanReloader)",
    "django-watchfiles": "django-watchfiles",
    "nodemon": "nodemon → runserver --noreload",
    "entr": "entr -r → runserver --noreload",
    "watchexec": "watchexec -r → runserver --noreload",
}


def _ms(v, signed=False):
    if v is None:
        return "—"
    # U+2212, as the prose of docs/benchmarks.md writes a minus.
    return (("%+.0f ms" if signed else "%.0f ms") % v).replace("-", "−")


def _ratio(peer, ours):
    if peer is None or ours is None or ours <= 0:
        return "—"
    return "%.2f×" % (peer / ours)


def _status(r):
    status = r.get("status", "—")
    if r.get("failures"):
        status += " (%d edits not served)" % len(r["failures"])
    if r.get("warmup", {}).get("tries", 1) > 1:
        status += " (warm-up edit served only on try %d)" % r["warmup"]["tries"]
    if r.get("orphan"):
        status += "; " + r["orphan"]
    return status.replace("|", "/")[:200]


def render(results, args, ref, command, meta):
    loads = meta["round_loads"]
    out = ["Measured %s–%s on %d CPUs; `uptime` before: `%s`; after: `%s` (1-min load at the start of each "
           "round: %.1f–%.1f). Django %s on Python %s; %d rounds, /marker/ polled every %.0f ms."
           % (meta["started"], meta["finished"], meta["cpus"], meta["uptime_start"], meta["uptime_end"],
              min(loads, default=0), max(loads, default=0), meta["django"], meta["python_version"],
              args.reps, args.poll_ms), "",
           "| tool | p50 | p90 | min | max | n | (tool − floor) p50 | (tool − floor) p90 | idle CPU | status |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for name in [n for n in LABELS if n in args.tools]:
        r = results.get(name, {})
        d = r.get("delta", {})
        idle = r.get("idle_cpu_percent")
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            LABELS[name], _ms(r.get("p50")), _ms(r.get("p90")), _ms(r.get("min")), _ms(r.get("max")),
            r.get("n", 0), _ms(d.get("p50"), True), _ms(d.get("p90"), True),
            "—" if idle is None else "%.2f%%" % idle, _status(r)))
    out += ["", "The floor is the median of %d cold start(s) of `runserver --noreload` per round (exec to "
            "first 200); \"tool − floor\" is each edit's save-to-served minus the floor of its own round, "
            "so both were measured within seconds of each other. Idle CPU: %% of one core used by the "
            "tool's process tree over %g s with nothing changing, before round 1 (every tool runs all "
            "the time)." % (args.floor_reps, args.idle)]
    rows = [n for n in LABELS if n in args.tools and results.get(n, {}).get("server_wait")]
    if rows:
        out += ["", "Where a start's time goes, from the new server process's /proc/PID/schedstat (from its "
                "fork to the first response): CPU it used, and time it sat runnable waiting for a CPU. "
                "\"Unwaited\" takes each side's wait out: (sample − its server's wait) − (floor − the "
                "floor's wait), per round.", "",
                "| tool | server CPU p50 | run-queue wait p50 | p90 | unwaited (tool − floor) p50 | p90 |",
                "|---|---|---|---|---|---|"]
        for name in rows:
            r = results[name]
            u = r.get("delta_unwaited", {})
            out.append("| %s | %s | %s | %s | %s | %s |" % (
                LABELS[name], _ms(r["server_cpu"].get("p50")), _ms(r["server_wait"].get("p50")),
                _ms(r["server_wait"].get("p90")), _ms(u.get("p50"), True), _ms(u.get("p90"), True)))
    if ref:
        rr = results[ref]
        out += ["", "Against %s, same rounds (above 1× and above 0 ms: devwatch is faster):" % LABELS[ref], "",
                "| tool | p50 ÷ devwatch's | (tool − floor) p50 ÷ devwatch's | (tool − devwatch) per round, p50 "
                "| p90 | devwatch faster in |", "|---|---|---|---|---|---|"]
        for name in [n for n in LABELS if n in args.tools and n not in ("floor", ref)]:
            r = results.get(name, {})
            vs = r.get("vs_ref")
            if not vs:
                continue
            out.append("| %s | %s | %s | %s | %s | %d of %d rounds |" % (
                LABELS[name], _ratio(r.get("p50"), rr.get("p50")),
                _ratio(r.get("delta", {}).get("p50"), rr.get("delta", {}).get("p50")),
                _ms(vs["diff"]["p50"], True), _ms(vs["diff"]["p90"], True), vs["ref_faster"], vs["rounds"]))
    for name in [n for n in LABELS if n in args.tools]:
        spans, p90 = results.get(name, {}).get("overhead_p50_ms"), results.get(name, {}).get("overhead_p90_ms")
        if not spans:
            continue
        rest = results[name].get("rest_over_floor", {})
        out += ["", "%s, from `--timings` (p50 / p90 per restart): first change event → new command spawned "
                "%s / %s ms, old group gone → spawn %s / %s ms, spawn → ready probe %s / %s ms; (tool − floor) "
                "minus first change → spawn, i.e. write → event plus spawn → served against the floor's "
                "exec → served: %s p50, %s p90."
                % (LABELS[name], spans.get("event_to_spawn_ms", "—"), p90.get("event_to_spawn_ms", "—"),
                   spans.get("gone_to_spawn_ms", "—"), p90.get("gone_to_spawn_ms", "—"),
                   spans.get("spawn_to_ready_ms", "—"), p90.get("spawn_to_ready_ms", "—"),
                   _ms(rest.get("p50"), True), _ms(rest.get("p90"), True))]
    out += ["", "Command: `%s`" % command]
    return "\n".join(out)
