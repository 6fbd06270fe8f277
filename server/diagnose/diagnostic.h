// The editor-neutral diagnostic that diagnose/ produces and session/ turns
// into textDocument/publishDiagnostics. Positions follow LSP: 0-based lines,
// 0-based columns counted in UTF-16 code units; paths are absolute.
// Thread-safe: plain values.
#pragma once

#include <string>
#include <vector>

namespace devwatch::diagnose {

struct Location {
  std::string path;      // absolute, lexically normalised
  int line = 0;          // 0-based
  int column = 0;        // 0-based, UTF-16 code units
  int end_column = -1;   // exclusive end on the same line; -1 = end of line unknown
};

struct Related {
  Location location;
  std::string message;
};

struct Diagnostic {
  Location location;
  std::string message;
  std::string source = "devwatch";
  int severity = 1;  // LSP DiagnosticSeverity: 1 = Error
  std::vector<Related> related;
};

}  // namespace devwatch::diagnose
