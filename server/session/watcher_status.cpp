#include "session/watcher_status.h"

#include <cstdio>
#include <ctime>

namespace devwatch::session {

namespace {

// "2026-12-01T21:41:53.123Z"
std::string iso_time(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
  std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

nlohmann::json to_json(const watch::WatcherStatus& s) {
  nlohmann::json problems = nlohmann::json::array();
  for (const watch::Problem& p : s.problems)
    problems.push_back({{"severity", watch::severity_name(p.severity)},
                        {"kind", p.kind},
                        {"path", p.path},
                        {"message", p.message},
                        {"fix", p.fix}});
  const std::size_t taken = s.budget_used_by_others + s.budget_used;
  const std::size_t available = s.budget_limit > taken ? s.budget_limit - taken : 0;
  return nlohmann::json{
      {"backend", s.backend},
      {"reason", s.backend_reason},
      {"roots", s.roots},
      {"watchedDirectories", s.watched_dirs},
      {"budget",
       {{"used", s.budget_used},
        {"limit", s.budget_limit},
        {"usedByOthers", s.budget_used_by_others},
        {"available", available},
        {"note", "usedByOthers counts the inotify watches of processes visible in /proc"}}},
      {"unwatched", s.unwatched},
      {"resyncs", s.resync_count},
      {"lastEventTime", s.last_event_time ? nlohmann::json(iso_time(*s.last_event_time)) : nlohmann::json()},
      {"crawling", s.crawling},
      {"problems", problems}};
}

}  // namespace devwatch::session
