// devwatch.json's "servers" object, validated into ServerSpecs (validate.cpp
// calls it for the whole document).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "config/validator.h"
#include "supervise/spec.h"

namespace devwatch::config {

// One spec per valid entry, sorted by name; every problem goes to v.issues.
std::vector<supervise::ServerSpec> validate_servers(Validator& v, const nlohmann::json& doc);

}  // namespace devwatch::config
