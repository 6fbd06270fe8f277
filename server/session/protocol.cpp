#include "session/protocol.h"

#include <initializer_list>

#include "paths/uri.h"
#include "session/params.h"

namespace devwatch::session {
namespace {

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  auto name = slash == std::string::npos ? path : path.substr(slash + 1);
  return name.empty() ? path : name;
}

Result<WorkspaceFolder> folder_from_uri(const std::string& uri, std::string name, const std::string& where) {
  auto path = paths::uri_to_path(uri);
  if (!path) return make_error(ErrorCode::InvalidParams, where + ": " + path.error().message);
  std::string p = std::move(path.value());
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (name.empty()) name = base_name(p);
  return WorkspaceFolder{uri, std::move(name), std::move(p)};
}

Result<std::vector<WorkspaceFolder>> parse_folders(const json& list, const std::string& where) {
  std::vector<WorkspaceFolder> out;
  if (!list.is_array()) {
    return make_error(ErrorCode::InvalidParams,
                      where + ": expected an array of WorkspaceFolder, got " + list.type_name());
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string at = where + "[" + std::to_string(i) + "]";
    ParamReader reader(list[i], at);
    auto uri = reader.string("uri", true);
    auto name = reader.string("name", false);
    if (!reader.ok()) return reader.error();
    auto folder = folder_from_uri(*uri, name.value_or(""), at + ".uri");
    if (!folder) return folder.error();
    out.push_back(std::move(folder.value()));
  }
  return out;
}

// A client capability is on only when the client says `true`: absent, null or
// of another type is off (LSP: "if omitted, the client does not support it").
bool capability(const json& caps, std::initializer_list<const char*> path) {
  const json* at = &caps;
  for (const char* key : path) {
    if (!at->is_object()) return false;
    auto it = at->find(key);
    if (it == at->end()) return false;
    at = &*it;
  }
  return at->is_boolean() && at->get<bool>();
}

}  // namespace

Result<InitializeParams> InitializeParams::parse(const json& params) {
  ParamReader reader(params);
  InitializeParams out;
  if (reader.has("processId")) {
    auto pid = reader.integer("processId", true, 1, INT32_MAX);
    if (pid) out.process_id = static_cast<int>(*pid);
  }
  auto root_uri = reader.string("rootUri", false);
  auto root_path = reader.string("rootPath", false);
  if (auto trace = reader.string("trace", false)) out.trace = *trace;
  if (const json* info = reader.value("clientInfo", false); info && info->is_object()) {
    ParamReader client(*info, "params.clientInfo");
    out.client_name = client.string("name", false).value_or("");
  }
  if (!reader.ok()) return reader.error();
  if (const json* folders = reader.value("workspaceFolders", false)) {
    auto parsed = parse_folders(*folders, "params.workspaceFolders");
    if (!parsed) return parsed.error();
    out.folders = std::move(parsed.value());
  } else if (root_uri) {
    auto folder = folder_from_uri(*root_uri, "", "params.rootUri");
    if (!folder) return folder.error();
    out.folders.push_back(std::move(folder.value()));
  } else if (root_path) {
    if (root_path->empty() || root_path->front() != '/') {
      return make_error(ErrorCode::InvalidParams, "params.rootPath: expected an absolute path");
    }
    auto folder = folder_from_uri(paths::path_to_uri(*root_path), "", "params.rootPath");
    if (!folder) return folder.error();
    out.folders.push_back(std::move(folder.value()));
  }
  if (params.is_object()) {
    if (auto it = params.find("initializationOptions"); it != params.end()) out.initialization_options = *it;
    if (const json* caps = reader.value("capabilities", false)) {
      out.work_done_progress = capability(*caps, {"window", "workDoneProgress"});
      out.related_information = capability(*caps, {"textDocument", "publishDiagnostics", "relatedInformation"});
    }
  }
  return out;
}

Result<WorkspaceFoldersChange> WorkspaceFoldersChange::parse(const json& params) {
  ParamReader reader(params);
  const json* event = reader.value("event", true);
  if (!reader.ok()) return reader.error();
  ParamReader ev(*event, "params.event");
  const json* added = ev.value("added", true);
  const json* removed = ev.value("removed", true);
  if (!ev.ok()) return ev.error();
  WorkspaceFoldersChange out;
  auto a = parse_folders(*added, "params.event.added");
  if (!a) return a.error();
  auto r = parse_folders(*removed, "params.event.removed");
  if (!r) return r.error();
  out.added = std::move(a.value());
  out.removed = std::move(r.value());
  return out;
}

Result<NoParams> NoParams::parse(const json& params) {
  if (auto ok = expect_no_params(params); !ok) return ok.error();
  return NoParams{};
}

Result<SetTraceParams> SetTraceParams::parse(const json& params) {
  SetTraceParams out;
  if (params.is_object() && params.contains("value") && params["value"].is_string()) {
    out.value = params["value"].get<std::string>();
  }
  return out;
}

Result<InitializationOptions> InitializationOptions::parse(const json& options) {
  InitializationOptions out;
  if (options.is_null()) return out;
  ParamReader reader(options, "initializationOptions");
  if (auto trusted = reader.boolean("trusted", false)) out.trusted = *trusted;
  out.auto_start = reader.boolean("autoStart", false);
  out.auto_restart = reader.boolean("autoRestart", false);
  out.preload = reader.boolean("preload", false);
  if (auto crash_messages = reader.boolean("crashMessages", false)) out.crash_messages = *crash_messages;
  if (const json* settings = reader.value("settings", false)) {
    if (!settings->is_object()) reader.fail("settings", "expected an object shaped like devwatch.json");
    out.settings = *settings;
  }
  if (!reader.ok()) return reader.error();
  return out;
}

Result<ServerRef> ServerRef::parse(const json& params) {
  ParamReader reader(params);
  ServerRef ref;
  ref.name = reader.string("name", false);
  if (!reader.ok()) return reader.error();
  return ref;
}

Result<StartParams> StartParams::parse(const json& params) {
  ParamReader reader(params);
  StartParams out;
  out.name = reader.string("name", false);
  if (auto consent = reader.boolean("consent", false)) out.consent = *consent;
  if (!reader.ok()) return reader.error();
  return out;
}

Result<OutputParams> OutputParams::parse(const json& params) {
  ParamReader reader(params);
  OutputParams out;
  out.name = reader.string("name", false);
  if (auto from = reader.integer("fromSeq", false, 0)) out.from_seq = static_cast<std::uint64_t>(*from);
  if (auto limit = reader.integer("limit", false, 1, 100000)) out.limit = static_cast<std::uint64_t>(*limit);
  if (!reader.ok()) return reader.error();
  return out;
}

Result<SubscribeParams> SubscribeParams::parse(const json& params) {
  ParamReader reader(params);
  SubscribeParams out;
  const json* glob = reader.value("globPattern", true);
  if (auto kind = reader.integer("kind", false, 1, 7)) out.kind = static_cast<int>(*kind);
  if (auto excludes = reader.strings("excludes", false)) out.excludes = std::move(*excludes);
  if (auto settle = reader.integer("settleMs", false, 0, 60000)) out.settle_ms = static_cast<int>(*settle);
  if (!reader.ok()) return reader.error();
  if (glob->is_string()) {
    out.pattern = glob->get<std::string>();
  } else if (glob->is_object()) {
    // LSP's RelativePattern: {baseUri: URI | WorkspaceFolder, pattern}.
    ParamReader rel(*glob, "params.globPattern");
    auto pattern = rel.string("pattern", true);
    const json* base = rel.value("baseUri", true);
    if (!rel.ok()) return rel.error();
    std::string uri;
    if (base->is_string()) {
      uri = base->get<std::string>();
    } else if (base->is_object() && base->contains("uri") && (*base)["uri"].is_string()) {
      uri = (*base)["uri"].get<std::string>();
    } else {
      return make_error(ErrorCode::InvalidParams,
                        "params.globPattern.baseUri: expected a URI or a WorkspaceFolder");
    }
    auto path = paths::uri_to_path(uri);
    if (!path) return make_error(ErrorCode::InvalidParams, "params.globPattern.baseUri: " + path.error().message);
    out.base = std::move(path.value());
    while (out.base.size() > 1 && out.base.back() == '/') out.base.pop_back();
    out.pattern = std::move(*pattern);
  } else {
    return make_error(ErrorCode::InvalidParams,
                      std::string("params.globPattern: expected a string or a RelativePattern, got ") +
                          glob->type_name());
  }
  return out;
}

Result<UnsubscribeParams> UnsubscribeParams::parse(const json& params) {
  ParamReader reader(params);
  auto id = reader.string("subscriptionId", true);
  if (!reader.ok()) return reader.error();
  return UnsubscribeParams{std::move(*id)};
}

}  // namespace devwatch::session
