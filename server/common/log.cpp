#include "common/log.h"

#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace devwatch {
namespace {

std::mutex g_forwarder_mutex;
LogForwarder g_forwarder;
thread_local bool t_in_forwarder = false;

// Forwards warn+ records to the client. A record logged while forwarding (for
// example, a failed write to the client) is not forwarded again: no loops.
class ForwardSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (msg.level < spdlog::level::warn || t_in_forwarder) return;
    LogForwarder forwarder;
    {
      std::lock_guard lock(g_forwarder_mutex);
      forwarder = g_forwarder;
    }
    if (!forwarder) return;
    t_in_forwarder = true;
    forwarder(msg.level, std::string(msg.payload.data(), msg.payload.size()));
    t_in_forwarder = false;
  }
  void flush_() override {}
};

}  // namespace

Result<spdlog::level::level_enum> parse_log_level(const std::string& name) {
  static const std::pair<const char*, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"warning", spdlog::level::warn}, {"error", spdlog::level::err},
      {"off", spdlog::level::off},
  };
  for (const auto& [label, level] : kLevels) {
    if (name == label) return level;
  }
  return make_error(ErrorCode::InvalidParams,
                    "unknown log level '" + name + "' (use trace, debug, info, warn, error or off)");
}

Result<void> init_logging(const LogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  try {
    if (options.file) {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(*options.file));
    } else {
      sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    }
  } catch (const spdlog::spdlog_ex& e) {
    return make_error(ErrorCode::InvalidParams,
                      "cannot open log file '" + *options.file + "': " + e.what());
  }
  sinks.push_back(std::make_shared<ForwardSink>());
  auto logger = std::make_shared<spdlog::logger>("devwatch", sinks.begin(), sinks.end());
  logger->set_level(options.level);
  logger->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  return {};
}

void set_log_forwarder(LogForwarder forwarder) {
  std::lock_guard lock(g_forwarder_mutex);
  g_forwarder = std::move(forwarder);
}

}  // namespace devwatch
