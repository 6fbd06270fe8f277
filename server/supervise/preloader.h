// The spawn-strategy seam for preloaded restarts (docs/preload.md): a
// DevServer whose spec asks for preloading asks its Preloader, before each
// spawn, for a zygote socket (or the reason to start cold), and tells it
// afterwards how the start went, so a stale or lost zygote is rebuilt. The
// implementation (the zygote's life) is preload/zygote.h; supervise only
// knows this interface, so the shim's supervision stays the one code path.
// Threading: called on the loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "supervise/spec.h"

namespace devwatch::supervise {

struct PreloadChoice {
  std::string socket;       // empty: start cold
  std::string cold_reason;  // why, when socket is empty
};

class Preloader {
 public:
  virtual ~Preloader() = default;
  virtual PreloadChoice before_spawn() = 0;
  virtual void after_spawn(const StartInfo& info) = 0;
};

// Builds the Preloader of one server spec (whose preload.enabled is set).
using PreloaderFactory = std::function<std::unique_ptr<Preloader>(const ServerSpec& spec)>;

}  // namespace devwatch::supervise
