// The life of one server's zygote (docs/preload.md): a preloaded Python
// interpreter, itself a supervised process group under its own shim (so it
// never outlives devwatch), listening on a unix socket in a private 0700
// directory. Implements supervise::Preloader: before a spawn it hands out
// the socket of a ready zygote or says why the start is cold; after a start
// the zygote refused (stale, lost) it rebuilds one in the background and
// keeps the old until the new one is ready. A zygote that reports itself
// unsafe is not rebuilt until the spec changes (a new Zygote).
// Threading: loop thread only, like the DevServer that owns it.
#pragma once

#include <memory>
#include <string>

#include "supervise/asio_include.h"

#include "supervise/group_process.h"
#include "supervise/preloader.h"
#include "supervise/spec.h"

namespace devwatch::preload {

class Zygote final : public supervise::Preloader {
 public:
  Zygote(asio::io_context& io, supervise::ServerSpec spec, std::string shim_path);
  ~Zygote() override;
  Zygote(const Zygote&) = delete;
  Zygote& operator=(const Zygote&) = delete;

  supervise::PreloadChoice before_spawn() override;
  void after_spawn(const supervise::StartInfo& info) override;

 private:
  struct Slot;
  void build(const std::string& why);
  void on_line(const std::shared_ptr<Slot>& slot, supervise::Stream stream, std::string_view text);
  void on_gone(const std::shared_ptr<Slot>& slot, const supervise::GroupExit& exit);
  static void retire(const std::shared_ptr<Slot>& slot);

  asio::io_context& io_;
  supervise::ServerSpec spec_;
  std::string shim_path_;
  std::string unavailable_;  // set once: preloading cannot work for this spec (before dir_: its error)
  std::string dir_;          // private directory: the launcher and the sockets
  std::string launcher_;     // path of the launcher file in dir_
  std::string failure_;      // why the last zygote ended or refused to serve
  bool permanent_ = false;   // failure_ needs a spec change (unsafe, unsupported)
  int generation_ = 0;
  std::shared_ptr<Slot> current_;  // the one spawns use once ready
  std::shared_ptr<Slot> next_;     // being built to replace it
};

// Zygotes for DevServerOptions::preloader_factory.
supervise::PreloaderFactory zygote_factory(asio::io_context& io, std::string shim_path);

}  // namespace devwatch::preload
