// The params of the LSP and devwatch methods this server handles, each with
// `static Result<T> parse(const json&)` so the method table can bind them.
// Field names follow LSP; errors name the offending field.
// Threading: plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace devwatch::session {

struct WorkspaceFolder {
  std::string uri;
  std::string name;
  std::string path;  // decoded from uri
};

struct InitializeParams {
  std::optional<int> process_id;
  std::vector<WorkspaceFolder> folders;  // from workspaceFolders, else rootUri, else rootPath
  json initialization_options;           // null when absent
  bool work_done_progress = false;       // capabilities.window.workDoneProgress
  bool show_message = true;
  std::string client_name;
  std::string trace = "off";
  static Result<InitializeParams> parse(const json& params);
};

struct WorkspaceFoldersChange {
  std::vector<WorkspaceFolder> added;
  std::vector<WorkspaceFolder> removed;
  static Result<WorkspaceFoldersChange> parse(const json& params);
};

struct NoParams {
  static Result<NoParams> parse(const json& params);
};

json to_json(const WorkspaceFolder& folder);

// LSP MessageType: 1 error, 2 warning, 3 info, 4 log.
enum class MessageType { Error = 1, Warning = 2, Info = 3, Log = 4 };

}  // namespace devwatch::session
