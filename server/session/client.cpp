#include "session/client.h"

namespace devwatch::session {
namespace {
thread_local bool t_telling = false;
}  // namespace

bool Client::already_told() { return t_telling; }

void Client::tell(spdlog::level::level_enum level, const std::string& log_text, std::string text, bool show) {
  t_telling = true;
  spdlog::log(level, "{}", log_text);
  t_telling = false;
  auto type = level >= spdlog::level::err ? MessageType::Error : MessageType::Warning;
  if (show) {
    show_message(type, std::move(text));
  } else if (level >= spdlog::level::warn) {
    log_message(type, std::move(text));
  }
}

void Client::create_progress(const std::string& token, std::function<void(bool accepted)> answered) {
  endpoint_.request(WorkDoneProgressCreate::kMethod, to_json(WorkDoneProgressCreate{token}),
                    [token, answered = std::move(answered)](const Result<json>& r) {
                      if (!r) spdlog::debug("work-done progress token {} refused: {}", token, r.error().message);
                      answered(r.ok());
                    });
}

}  // namespace devwatch::session
