#include "config/proxy.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "supervise/upstream_port.h"

namespace devwatch::config {
namespace {

const std::vector<std::string> kProxyKeys = {"listen", "liveReload", "overlap", "holdTimeoutMs"};

std::string type_of(const nlohmann::json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  return v.type_name();
}

bool is_ipv4(const std::string& s) {
  int parts = 0;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    auto dot = s.find('.', pos);
    std::string part = s.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    int v = -1;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || part.size() > 3 || ec != std::errc() || p != part.data() + part.size() || v > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return parts == 4;
}

}  // namespace

// "127.0.0.1:8000", "[::1]:8000", "localhost:8000", ":8000" or 8000 (loopback).
std::string parse_proxy_listen(const nlohmann::json& v, supervise::ProxySpec& out) {
  std::string host = "127.0.0.1", port_text;
  if (v.is_number_integer()) {
    port_text = std::to_string(v.get<long long>());
  } else if (v.is_string()) {
    std::string s = v.get<std::string>();
    auto colon = s.rfind(':');
    if (colon == std::string::npos) return "expected \"host:port\" like \"127.0.0.1:8000\", got \"" + s + "\"";
    host = s.substr(0, colon);
    port_text = s.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty() || host == "localhost") host = "127.0.0.1";
    bool ipv6 = host.find(':') != std::string::npos &&
                std::all_of(host.begin(), host.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; });
    if (!is_ipv4(host) && !ipv6) {
      return "the host must be an IP address (127.0.0.1, ::1, 0.0.0.0) or localhost, got \"" + host + "\"";
    }
  } else {
    return "expected \"host:port\" like \"127.0.0.1:8000\", got " + type_of(v);
  }
  int port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || p != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return "the port must be between 1 and 65535, got \"" + port_text + "\"";
  }
  out.listen_host = host;
  out.listen_port = port;
  return "";
}

void validate_proxy(const nlohmann::json& server, const std::string& path, supervise::ServerSpec& spec,
                    std::vector<ConfigIssue>& issues) {
  auto it = server.find("proxy");
  if (it == server.end()) return;
  std::string pp = path + ".proxy";
  auto issue = [&](const std::string& p, std::string message) {
    issues.push_back(ConfigIssue{p, std::move(message), 0, 0});
  };
  if (!it->is_object()) return issue(pp, "expected an object like {\"listen\": \"127.0.0.1:8000\"}, got " + type_of(*it));
  for (const auto& [key, value] : it->items()) {
    if (std::find(kProxyKeys.begin(), kProxyKeys.end(), key) == kProxyKeys.end()) {
      std::string message = "unknown key \"";
      message += key;
      message += "\" (known keys: listen, liveReload, overlap, holdTimeoutMs)";
      std::string where = pp;
      where += '.';
      where += key;
      issue(where, message);
    }
  }
  supervise::ProxySpec proxy;
  auto listen = it->find("listen");
  if (listen == it->end()) {
    issue(pp + ".listen", "required: where the proxy listens, like \"127.0.0.1:8000\"");
  } else if (auto why = parse_proxy_listen(*listen, proxy); !why.empty()) {
    issue(pp + ".listen", why);
  }
  for (const char* key : {"liveReload", "overlap"}) {
    auto b = it->find(key);
    if (b == it->end()) continue;
    if (!b->is_boolean()) {
      issue(pp + "." + key, "expected true or false, got " + type_of(*b));
      continue;
    }
    (std::string(key) == "liveReload" ? proxy.live_reload : proxy.overlap) = b->get<bool>();
  }
  if (auto t = it->find("holdTimeoutMs"); t != it->end()) {
    if (!t->is_number_integer() || t->get<long long>() < 100 || t->get<long long>() > 600000) {
      issue(pp + ".holdTimeoutMs", "expected an integer between 100 and 600000, got " + t->dump());
    } else {
      proxy.hold_timeout_ms = t->get<int>();
    }
  }
  if (proxy.listen_host.empty()) return;
  if (spec.ready.port && *spec.ready.port == proxy.listen_port && spec.ready.host.value_or("127.0.0.1") == proxy.listen_host) {
    issue(pp + ".listen", "the proxy cannot listen on the server's own port " + std::to_string(proxy.listen_port) +
                              " (give the server \"{port}\" in its command, or $PORT)");
  }
  if (proxy.overlap && !supervise::port_is_ours(spec)) {
    issue(pp + ".overlap", "an overlapped restart starts the new server on a fresh port while the old one serves, "
                           "but this command listens on the fixed port " + std::to_string(*spec.ready.port) +
                           ": give it \"{port}\" in its command (or let it read $PORT and drop ready.port)");
  }
  spec.proxy = proxy;
}

}  // namespace devwatch::config
