#include "supervise/shim_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace devwatch::supervise::shim {

namespace {

void write_report(const void* data, size_t size) {
  ssize_t n = 0;
  do {
    n = write(kReportFd, data, size);
  } while (n < 0 && errno == EINTR);
}

}  // namespace

void report(RecordKind kind, int a, int b) {
  ShimRecord record{static_cast<int32_t>(kind), a, b};
  write_report(&record, sizeof record);
}

void report_started(pid_t pid, StartOutcome outcome, int fork_us, const std::string& note) {
  ShimRecord started{static_cast<int32_t>(RecordKind::Started), pid, static_cast<int32_t>(outcome)};
  if (outcome == StartOutcome::Plain) {
    write_report(&started, sizeof started);
    return;
  }
  const std::string text = note.substr(0, kMaxNoteBytes);
  ShimRecord header{static_cast<int32_t>(RecordKind::StartNote), static_cast<int32_t>(text.size()), fork_us};
  std::string buffer(reinterpret_cast<const char*>(&started), sizeof started);
  buffer.append(reinterpret_cast<const char*>(&header), sizeof header);
  buffer += text;
  write_report(buffer.data(), buffer.size());
}

bool parse_long(const char* text, long& out) {
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtol(text, &end, 10);
  return errno == 0 && end != nullptr && *end == '\0';
}

std::optional<ShimArgs> parse_args(int argc, char** argv) {
  ShimArgs args;
  long value = 0;
  if (argc < 6) return std::nullopt;
  if (!parse_long(argv[2], value) || value <= 0) return std::nullopt;
  args.expected_ppid = static_cast<pid_t>(value);
  if (!parse_long(argv[3], value) || value < 0) return std::nullopt;
  args.death_timeout_ms = static_cast<int>(value);
  long steps = 0;
  if (!parse_long(argv[4], steps) || steps < 0 || steps > 16) return std::nullopt;
  int i = 5;
  for (long s = 0; s < steps; ++s, ++i) {
    if (i >= argc) return std::nullopt;
    const char* colon = std::strchr(argv[i], ':');
    if (colon == nullptr) return std::nullopt;
    std::string sig(argv[i], static_cast<size_t>(colon - argv[i]));
    long signal = 0;
    long timeout = 0;
    if (!parse_long(sig.c_str(), signal) || !parse_long(colon + 1, timeout)) return std::nullopt;
    args.steps.push_back({static_cast<int>(signal), static_cast<int>(timeout)});
  }
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    if (std::strcmp(argv[i], kZygoteFlag) == 0 && i + 1 < argc) {
      args.zygote = argv[++i];
    } else if (std::strcmp(argv[i], kNoSubreaperFlag) == 0) {
      args.subreaper = false;
    } else {
      return std::nullopt;
    }
  }
  if (i >= argc || std::strcmp(argv[i], "--") != 0) return std::nullopt;
  ++i;
  if (i >= argc) return std::nullopt;
  for (; i < argc; ++i) args.command.push_back(argv[i]);
  args.command.push_back(nullptr);
  return args;
}

}  // namespace devwatch::supervise::shim
