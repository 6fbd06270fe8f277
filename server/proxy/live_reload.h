// Live reload: the script the proxy serves and injects into HTML pages, the
// rules that decide whether a response can take it, and the kinds of events
// sent to pages over Server-Sent Events.
// Thread-safe: pure functions over values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "proxy/http_head.h"

namespace devwatch::proxy {

inline constexpr std::string_view kScriptPath = "/__devwatch/reload.js";
inline constexpr std::string_view kEventsPath = "/__devwatch/events";

// The tag appended to an HTML body: an external script, so a CSP that allows
// 'self' scripts allows it; appended after the document (browsers parse it
// into the body), so the body streams unchanged up to its end.
std::string_view snippet();
std::string_view script();

struct Injection {
  bool inject = false;
  std::string reason;  // why not, for the log: "the response is gzip-compressed"
};
// Whether `response` (to a request with `method`) can take the snippet.
// Only 200 text/html responses with a body; never compressed (the proxy asks
// for identity), never when Content-Security-Policy forbids 'self' scripts or
// connections.
Injection decide_injection(const Head& response, std::string_view method);

// Whether a request is for a page (Accept names text/html): its
// Accept-Encoding is dropped so the answer comes uncompressed.
bool wants_html(const Head& request);

enum class ChangeKind { None, Css, Reload };
// What pages should do about changed files that did NOT restart the server:
// only stylesheets → swap them; any other web asset or template → reload;
// nothing web-like (bytecode, databases, editor files) → nothing.
ChangeKind classify_changes(const std::vector<std::string>& paths);

}  // namespace devwatch::proxy
