"""The markdown of bench/reload/reloaders.py: one table per project, and the
ratios of every row to DevwatchReloader on the same Django."""
import benchlib

LABELS = {"django-devwatch": "DevwatchReloader", "django-stat": "StatReloader",
          "django-watchman": "WatchmanReloader", "django-watchfiles": "django-watchfiles",
          "devwatch": "devwatch run"}
PROJECTS = {"example": "examples/django-blog", "large": "the generated project"}


def _ms(v):
    return benchlib.fmt(v, " ms", 0)


def _django(row, meta):
    return meta["versions"][row["python"]].split(",")[0].replace("Django ", "")


def _ratio(peer, ours, digits=1):
    if peer is None or ours is None:
        return "—"
    if ours <= 0:
        return "∞" if peer > 0 else "—"
    return f"{peer / ours:.{digits}f}×"


def _idle(row, meta):
    if row.get("idle_cpu_percent") is None:
        return "—"
    cpu_ms = row["idle_cpu_percent"] * 10.0 * meta["idle_s"]  # % of one core over idle_s seconds
    return f"{row['idle_cpu_percent']:.2f}% ({cpu_ms:.0f} ms)"


def render(meta, rows, args):
    out = [f"Measured {meta['started']}–{meta['finished']} on {meta['cpus']} CPUs (load average "
           f"{meta['loadavg_start'][0]:.1f} at the start, {meta['loadavg_end'][0]:.1f} at the end; the "
           "load before each row is in its last column). " + "; ".join(meta["versions"].values()) + ".", ""]
    for kind in PROJECTS:
        mine = [r for r in rows if r["project"] == kind]
        if not mine:
            continue
        what = PROJECTS[kind] if kind == "example" else f"a generated project of {meta['modules']:,} modules"
        pooled = "; ".join(f"{_django(r, meta)} {_ms(r.get('pooled_floor_p50'))}" for r in
                           {r["python"]: r for r in mine}.values())
        out += [f"**{what}** ({meta['reps']} edits per row; idle window {meta['idle_s']:g} s; floor, the median "
                f"cold start of all rows: {pooled}):", "",
                "| reloader | Django | save-to-served p50 | p90 | p50 − floor | adjacent floor | detect p50 | detect p90 "
                "| idle CPU | peak RSS | status | load |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in mine:
            status = r.get("status", "—")
            if r.get("missed"):
                status += f" ({len(r['missed'])} edits not served)"
            if r.get("warmup_tries", 1) > 1:
                status += f" (warm-up served on try {r['warmup_tries']})"
            if r.get("detect_ms") is not None and len(r["detect_ms"]) < len(r.get("served_ms") or []):
                status += f" ({len(r['served_ms']) - len(r['detect_ms'])} changes not announced)"
            rss = benchlib.fmt(r.get("peak_rss_mib"), " MiB", 1)
            out.append(f"| {LABEL(r)} | {_django(r, meta)} | {_ms(r.get('served_p50'))} | {_ms(r.get('served_p90'))} "
                       f"| {_ms(r.get('over_floor'))} | {_ms(r.get('floor_p50'))} | {_ms(r.get('detect_p50'))} "
                       f"| {_ms(r.get('detect_p90'))} | {_idle(r, meta)} | {rss} "
                       f"| {status.replace('|', '/')[:160]} | {r['load_before']:.1f} |")
        out += ["", "Ratios, row ÷ DevwatchReloader on the same Django (above 1× means DevwatchReloader is "
                "faster, leaner or quieter):", "",
                "| reloader | Django | save-to-served p50 | p50 − floor | detect p50 | idle CPU | peak RSS |",
                "|---|---|---|---|---|---|---|"]
        for r in mine:
            ours = next((o for o in mine if o["tool"] == "django-devwatch" and o["python"] == r["python"]), None)
            if ours is None or r is ours:
                continue
            out.append(f"| {LABEL(r)} | {_django(r, meta)} | {_ratio(r.get('served_p50'), ours.get('served_p50'), 2)} "
                       f"| {_ratio(r.get('over_floor'), ours.get('over_floor'), 2)} "
                       f"| {_ratio(r.get('detect_p50'), ours.get('detect_p50'))} "
                       f"| {_ratio(r.get('idle_cpu_percent'), ours.get('idle_cpu_percent'))} "
                       f"| {_ratio(r.get('peak_rss_mib'), ours.get('peak_rss_mib'), 2)} |")
        out.append("")
    timings = [t for r in rows if r["tool"] == "devwatch" for t in r.get("timings", [])]
    if timings:
        out += [f"`devwatch run --timings`, first restarts: {'; '.join(t.split('timings: ', 1)[-1] for t in timings[:2])}", ""]
    out.append(f"Command: `{meta['command']}`")
    return "\n".join(out)


def LABEL(row):  # noqa: N802 (a table's first column)
    return LABELS[row["tool"]]
