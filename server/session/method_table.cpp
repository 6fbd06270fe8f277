#include "session/method_table.h"

#include <stdexcept>

#include <spdlog/spdlog.h>

namespace devwatch::session {

void MethodTable::request(std::string method, RequestHandler handler) {
  // Registering a name twice is a programming error caught by any test run.
  if (!requests_.emplace(std::move(method), std::move(handler)).second) {
    throw std::logic_error("request registered twice");
  }
}

void MethodTable::notification(std::string method, NotificationHandler handler) {
  if (!notifications_.emplace(std::move(method), std::move(handler)).second) {
    throw std::logic_error("notification registered twice");
  }
}

void MethodTable::log_dropped(const std::string& method, const Error& error) {
  spdlog::warn("{} ignored: {}", method, error.message);
}

const MethodTable::RequestHandler* MethodTable::find_request(std::string_view method) const {
  auto it = requests_.find(method);
  return it == requests_.end() ? nullptr : &it->second;
}

const MethodTable::NotificationHandler* MethodTable::find_notification(std::string_view method) const {
  auto it = notifications_.find(method);
  return it == notifications_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodTable::request_names() const {
  std::vector<std::string> names;
  for (const auto& [name, handler] : requests_) names.push_back(name);
  return names;
}

std::vector<std::string> MethodTable::notification_names() const {
  std::vector<std::string> names;
  for (const auto& [name, handler] : notifications_) names.push_back(name);
  return names;
}

}  // namespace devwatch::session
