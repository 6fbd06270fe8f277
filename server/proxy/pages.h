// The answers the proxy gives itself instead of the dev server's: the crash
// page (state, reason, innermost workspace frame), the "stopped" and "not
// ready in time" pages, and the live-reload script and event stream heads.
// Every page carries the reload script, so it reloads itself once the server
// is ready again.
// Thread-safe: pure functions over values.
#pragma once

#include <string>

namespace devwatch::proxy {

// Why the server cannot answer now.
struct Outage {
  std::string server;     // "web"
  std::string state;      // "crashed", "backoff", "stopped", "starting"
  std::string reason;     // the state change's reason
  std::string exception;  // last Python exception line, if any
  std::string frame;      // innermost workspace frame "/ws/app/views.py:12", if any
};

// A complete HTTP/1.1 response (head and body) with Connection: close unless keep.
std::string page_response(int status, const std::string& title, const Outage& outage, bool keep);
std::string script_response(bool keep);
std::string events_response_head();
std::string not_found_response(bool keep);
std::string bad_request_response(const std::string& why);

}  // namespace devwatch::proxy
