// The one table of methods: name -> handler. Typed registration parses params
// with the params struct's `static Result<P> parse(const json&)`, so handlers
// receive values, never raw JSON: bad params of a request are always
// InvalidParams; those of a notification (which gets no reply) are logged
// and the notification dropped.
// Threading: filled once at start-up, then read from the loop thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "session/reply.h"

namespace devwatch::session {

class MethodTable {
 public:
  using RequestHandler = std::function<void(const json& params, Reply reply)>;
  using NotificationHandler = std::function<void(const json& params)>;

  void request(std::string method, RequestHandler handler);
  void notification(std::string method, NotificationHandler handler);

  template <class P, class F>
  void typed_request(const std::string& method, F handler) {
    request(method, [handler = std::move(handler)](const json& params, Reply reply) mutable {
      Result<P> parsed = P::parse(params);
      if (!parsed) return reply(parsed.error());
      handler(std::move(parsed.value()), std::move(reply));
    });
  }

  template <class P, class F>
  void typed_notification(const std::string& method, F handler) {
    notification(method, [handler = std::move(handler), name = method](const json& params) mutable {
      Result<P> parsed = P::parse(params);
      if (!parsed) return log_dropped(name, parsed.error());
      handler(std::move(parsed.value()));
    });
  }

  const RequestHandler* find_request(std::string_view method) const;
  const NotificationHandler* find_notification(std::string_view method) const;

  // Every registered name, sorted: the docs test checks protocol.md lists them.
  std::vector<std::string> request_names() const;
  std::vector<std::string> notification_names() const;

 private:
  static void log_dropped(const std::string& method, const Error& error);
  std::map<std::string, RequestHandler, std::less<>> requests_;
  std::map<std::string, NotificationHandler, std::less<>> notifications_;
};

}  // namespace devwatch::session
