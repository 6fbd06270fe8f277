// The workspace's values as protocol structs: a dev server as ServerInfo, a
// state change as StateChanged, a crash diagnostic as DiagnosticInfo, a
// folder's configuration as ConfigInfo. No JSON here: protocol_json.cpp
// spells the fields.
// Threading: pure functions.
#pragma once

#include "diagnose/diagnostic.h"
#include "session/protocol.h"
#include "supervise/dev_server.h"
#include "workspace/events.h"
#include "workspace/root.h"

namespace devwatch::session {

Range range_of(const diagnose::Location& location);
Location location_of(const diagnose::Location& location);
ServerInfo server_info(const supervise::DevServer& server, bool trusted);
StateChanged state_changed(const workspace::ServerChanged& event);
DiagnosticInfo diagnostic_info(const diagnose::Diagnostic& diagnostic);
ConfigInfo config_info(const workspace::RootStatus& status);

}  // namespace devwatch::session
