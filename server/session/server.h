// The devwatch language server: LSP lifecycle, workspace folders, status, and
// the typed handlers of every method (registered in one block, methods.cpp).
// The workspace (workspace/) knows nothing of JSON-RPC: requests call it and
// get values back; its events reach the client through WorkspaceBinding.
// Threading: loop thread only (the log forwarder posts onto the loop).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio.hpp>

#include "common/json.h"
#include "rpc/transport.h"
#include "session/client.h"
#include "session/endpoint.h"
#include "session/method_table.h"
#include "session/parent_watch.h"
#include "session/protocol.h"
#include "session/subscriptions.h"
#include "session/workspace_binding.h"
#include "workspace/workspace.h"

namespace devwatch::session {

struct ServerOptions {
  std::string version;
  // The executable that becomes each dev server's group-leader shim.
  std::string shim_path = "/proc/self/exe";
};

class LspServer {
 public:
  LspServer(asio::io_context& io, rpc::Sink& sink, ServerOptions options);
  ~LspServer();
  LspServer(const LspServer&) = delete;
  LspServer& operator=(const LspServer&) = delete;

  void on_frame(rpc::FrameEvent event) { endpoint_.on_frame(std::move(event)); }
  // stdin closed, or a signal: stop everything and end as `exit` would
  // (code 0 after shutdown, 1 otherwise).
  void stop(const std::string& reason);

  // Called once, when the server has stopped everything it runs and wants the
  // process to end with `code`.
  std::function<void(int code)> on_exit;

  const MethodTable& methods() const { return methods_; }

 private:
  void register_methods();  // methods.cpp: the one method table

  void initialize(InitializeParams params, Reply reply);
  void initialized();
  void shutdown(Reply reply);
  void exit_notification();
  void status(Reply reply);
  void did_change_workspace_folders(WorkspaceFoldersChange change);
  void set_trace(const SetTraceParams& params);
  void start_features();
  void add_folder(const WorkspaceFolder& folder);
  // devwatch/devServer/*: a workspace request's server as ServerInfo.
  Result<json> server_reply(Result<const supervise::DevServer*> server) const;
  Result<json> list() const;
  Result<json> output(const OutputParams& params) const;

  void begin_exit(int code, const std::string& why);
  void stop_dev_servers(std::function<void()> done);
  Capabilities capabilities() const;
  StatusResult status_result() const;

  asio::io_context& io_;
  rpc::Sink& sink_;
  ServerOptions options_;
  MethodTable methods_;
  Endpoint endpoint_;
  Client client_{endpoint_};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  InitializeParams init_;
  std::vector<WorkspaceFolder> folders_;
  std::unique_ptr<ParentWatch> parent_;
  std::unique_ptr<Subscriptions> subscriptions_;
  std::unique_ptr<WorkspaceBinding> binding_;
  std::unique_ptr<workspace::Workspace> workspace_;
  bool exiting_ = false;
  // Guards log forwarding against use after destruction (it posts to the loop).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace devwatch::session
