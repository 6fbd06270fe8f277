// The contract between devwatch and its group-leader shim: the argv layout and
// the fixed-size records the shim writes on its report pipe.
// Thread-safe: constants and plain values.
#pragma once

#include <cstdint>

namespace devwatch::supervise::shim {

// argv of the shim:
//   <exe> __shim <expected-ppid> <death-timeout-ms> <n-steps> <sig:timeout>... [flags] -- <command>...
// flags: --zygote <socket>  ask that preloaded interpreter to fork the command
//                           (docs/preload.md), starting it cold if it cannot;
//        --no-subreaper     for the zygote's own shim: the servers it forks
//                           belong to their own shims, not to this one.
inline constexpr const char* kShimArg = "__shim";
inline constexpr const char* kZygoteFlag = "--zygote";
inline constexpr const char* kNoSubreaperFlag = "--no-subreaper";

// Inherited descriptors (fixed numbers keep the argv free of fd juggling).
inline constexpr int kReportFd = 3;   // shim -> devwatch, ShimRecord stream
inline constexpr int kControlFd = 4;  // devwatch -> shim; EOF = devwatch is gone

// Bytes devwatch writes on the control pipe.
inline constexpr char kStopByte = 'T';

enum class RecordKind : int32_t {
  Started = 1,     // a = pid of the command (also its process group id), b = StartOutcome
  ExecFailed = 2,  // a = errno, b = stage (ExecStage)
  Exited = 3,      // a = wait status of the command
  StopStep = 4,    // a = signal sent to the group (0 = wait only), b = step index
  GroupGone = 5,   // every descendant is reaped; the shim exits next
  ShimError = 6,   // a = errno; the shim could not set itself up
  // Only right after a Started whose b is not Plain, in the same write():
  // a = length of the text that follows the record, b = fork request time in µs.
  StartNote = 7,
};

// How the command was started (Started.b). Plain: no preload was asked for.
enum class StartOutcome : int32_t { Plain = 0, Preloaded = 1, Cold = 2 };
inline constexpr int32_t kMaxNoteBytes = 1024;

enum class ExecStage : int32_t { Chdir = 1, Exec = 2, Fork = 3, ShimExec = 4, BadArgs = 5 };

// Written with one write() each: 12 bytes is far below PIPE_BUF, so records
// never interleave or tear.
struct ShimRecord {
  int32_t kind = 0;
  int32_t a = 0;
  int32_t b = 0;
};
static_assert(sizeof(ShimRecord) == 12);

}  // namespace devwatch::supervise::shim
