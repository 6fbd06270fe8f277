// The "proxy" object of a server in devwatch.json → supervise::ProxySpec
// (docs/proxy.md). Called from the validator; issues are appended with
// their JSON path, like every other key's.
// Thread-safe: pure function.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace devwatch::config {

// "host:port" (or a bare port) → listen_host/listen_port of `out`; "" or why not.
std::string parse_proxy_listen(const nlohmann::json& value, supervise::ProxySpec& out);

void validate_proxy(const nlohmann::json& server, const std::string& path, supervise::ServerSpec& spec,
                    std::vector<ConfigIssue>& issues);

}  // namespace devwatch::config
