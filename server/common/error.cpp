#include "common/error.h"

namespace devwatch {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::ParseError: return "ParseError";
    case ErrorCode::InvalidRequest: return "InvalidRequest";
    case ErrorCode::MethodNotFound: return "MethodNotFound";
    case ErrorCode::InvalidParams: return "InvalidParams";
    case ErrorCode::InternalError: return "InternalError";
    case ErrorCode::ServerNotInitialized: return "ServerNotInitialized";
    case ErrorCode::RequestCancelled: return "RequestCancelled";
    case ErrorCode::UnknownSubscription: return "UnknownSubscription";
    case ErrorCode::UnknownServer: return "UnknownServer";
    case ErrorCode::InvalidServerState: return "InvalidServerState";
    case ErrorCode::ExecFailed: return "ExecFailed";
    case ErrorCode::Untrusted: return "Untrusted";
    case ErrorCode::ConfigInvalid: return "ConfigInvalid";
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::Unsupported: return "Unsupported";
    case ErrorCode::WatchFailed: return "WatchFailed";
  }
  return "Unknown";
}

}  // namespace devwatch
