#include "proxy/live_reload.h"

#include <algorithm>
#include <array>
#include <optional>

namespace devwatch::proxy {
namespace {

constexpr std::string_view kSnippet = "\n<script src=\"/__devwatch/reload.js\" data-devwatch></script>\n";

// Reconnects by itself (EventSource), so a restart of devwatch is survived.
// A stylesheet swap loads the new sheet beside the old and removes the old
// once loaded: no flash of unstyled content, page state kept.
constexpr std::string_view kScript = R"JS((function () {
  if (window.__devwatch) return;
  window.__devwatch = { connected: false, swaps: 0 };
  var events = new EventSource("/__devwatch/events");
  events.onopen = function () { window.__devwatch.connected = true; };
  events.onerror = function () { window.__devwatch.connected = false; };
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("css", function () {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("devwatch", Date.now().toString());
      var next = link.cloneNode();
      next.href = url.href;
      next.onload = function () { link.remove(); window.__devwatch.swaps += 1; };
      next.onerror = function () { next.remove(); };
      link.after(next);
    });
  });
})();
)JS";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The source list of `directive` in a CSP, or nullopt when absent.
std::optional<std::string> csp_directive(const std::string& policy, std::string_view directive) {
  std::string p = lower(policy);
  std::size_t pos = 0;
  while (pos <= p.size()) {
    auto semi = p.find(';', pos);
    std::string part = p.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
    auto start = part.find_first_not_of(" \t");
    if (start != std::string::npos) {
      part = part.substr(start);
      auto space = part.find_first_of(" \t");
      if (part.substr(0, space) == directive) return space == std::string::npos ? "" : part.substr(space);
    }
    if (semi == std::string::npos) break;
    pos = semi + 1;
  }
  return std::nullopt;
}

bool allows_self(const std::string& sources) {
  return sources.find("'self'") != std::string::npos || sources.find(" *") != std::string::npos;
}

// What the policy says about one fetch kind, falling back to default-src.
std::string csp_blocks(const std::string& policy, std::string_view directive) {
  auto list = csp_directive(policy, directive);
  std::string_view used = directive;
  if (!list) {
    list = csp_directive(policy, "default-src");
    used = "default-src";
  }
  if (list && !allows_self(*list)) {
    return "its Content-Security-Policy " + std::string(used) + " does not allow 'self'";
  }
  return "";
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view snippet() { return kSnippet; }
std::string_view script() { return kScript; }

Injection decide_injection(const Head& response, std::string_view method) {
  const std::string* type = response.find("Content-Type");
  if (!type || lower(*type).find("text/html") == std::string::npos) return {false, "not HTML"};
  if (method == "HEAD" || response.status != 200) return {false, "no page body (status or HEAD)"};
  if (const std::string* enc = response.find("Content-Encoding"); enc && !iequals(*enc, "identity")) {
    return {false, "the response is " + *enc + "-encoded (the server compressed it although asked not to)"};
  }
  for (const auto& h : response.headers) {
    if (!iequals(h.name, "Content-Security-Policy")) continue;
    if (auto why = csp_blocks(h.value, "script-src"); !why.empty()) return {false, why};
    if (auto why = csp_blocks(h.value, "connect-src"); !why.empty()) return {false, why};
  }
  return {true, ""};
}

bool wants_html(const Head& request) {
  const std::string* accept = request.find("Accept");
  return accept && lower(*accept).find("text/html") != std::string::npos;
}

ChangeKind classify_changes(const std::vector<std::string>& paths) {
  static const std::array<std::string_view, 16> kAssets = {
      ".html", ".htm", ".js", ".mjs", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico",
      ".json", ".txt", ".jinja", ".jinja2", ".j2"};
  bool css = false, other = false;
  for (const auto& path : paths) {
    std::string p = lower(path);
    if (p.find("/__pycache__/") != std::string::npos || p.find("/.git/") != std::string::npos) continue;
    if (ends_with(p, ".css")) {
      css = true;
      continue;
    }
    bool asset = std::any_of(kAssets.begin(), kAssets.end(), [&](std::string_view e) { return ends_with(p, e); });
    if (asset || p.find("/templates/") != std::string::npos || p.find("/static/") != std::string::npos) {
      if (ends_with(p, "~") || ends_with(p, ".swp") || ends_with(p, ".tmp")) continue;
      other = true;
    }
  }
  if (other) return ChangeKind::Reload;
  return css ? ChangeKind::Css : ChangeKind::None;
}

}  // namespace devwatch::proxy
